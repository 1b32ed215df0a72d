/*
 * The zombie vCPU (issue 13 item 6): a realm guest arms its virtual timer
 * and waits in WFI (examples/guests/timer.S); the realm is live-migrated
 * from machine A to machine B (two instances; every record goes straight
 * from A's emit callback into B's import) before the timer fires. On B the
 * timer fires at the right realm time: the REC record carries CNTV_CTL and
 * CNTV_CVAL, the end record carries the realm's time and B's commit sets its
 * counter offset from it, so CVAL keeps its absolute meaning and CNTVCT
 * never goes back. The guest takes the interrupt through its vector (INTID
 * 27), records the time and turns itself off.
 *
 * --drop-timer: B's vCPU loader loses the timer registers (a backend that
 * clears CNTV_CTL/CVAL before B's first run, as a migration that carries
 * only GPRs, PC and the MMU state would): the guest waits forever, runnable,
 * waking from WFI again and again while its deadline passes. The example then checks that
 * the interrupt never came and prints the zombie's symptoms.
 *
 * --gpti-local: the MMU-off variant of the field report, migrated: B has
 * two CPUs, its GPT invalidations stay on the issuing CPU (fault
 * injection), it imports on cpu0 and enters the REC on cpu1, whose GPT
 * cache still says NS for the root RTT: ESR 0x82000025 on the first fetch.
 *
 * --gpti-local --spin: the same with the report's minimal guest, spin.S
 * (`b .`, MMU off) instead of timer.S.
 *
 * Usage: mig_timer timer.bin [--drop-timer | --gpti-local]
 *        mig_timer spin.bin --gpti-local --spin
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/rand.h>

#include <rmm/vcpu_a64.h>
#include "kvmhost/kvm_migrate.h"

#define SESSION 0x74696d65722d6d67ull
#define IMG (64u << 10)
#define ST 0x8000ull

static struct rmm *machine(unsigned int ncpus, unsigned int flags)
{
	struct rmm_config cfg;
	struct rmm *r;

	rmm_config_init(&cfg);
	cfg.dram_size = 64ull << 20;
	cfg.flags = RMM_CFG_GPT_SOFTWARE | flags;
	if (ncpus)
		cfg.ncpus = ncpus;
	return rmm_create(&cfg, &r) == RMM_OK ? r : NULL;
}

/* A word of the realm's memory as the host reads it (software GPT only). */
static uint64_t realm_u64(struct rmm *rmm, uint64_t rd, uint64_t ipa)
{
	struct rmi_rtt_entry e;

	rmm_rmi_rtt_read_entry(rmm, 0, rd, ipa & ~4095ull, 3, &e);
	return *(uint64_t *)((uint8_t *)rmm_ns_ptr(rmm, e.desc & 0x0000fffffffff000ull) +
			     (ipa & 4095));
}

struct wire {
	struct km_dst *d;
	struct kvm_host *h;
	int started, failed;
};

/* A's records go straight into B's import. */
static int emit(void *ctx, unsigned int stream, const void *rec, size_t len)
{
	struct wire *w = ctx;

	(void)stream;
	if (!w->started) {
		w->started = 1;
		w->failed = km_import_start(w->d, w->h, 40, 1, SESSION, rec, len);
	} else if (!w->failed) {
		w->failed = km_import_record(w->d, rec, len);
	}
	return w->failed;
}

/* --drop-timer: the interpreter, but the timer registers are lost on entry. */
static const struct rmm_vcpu_ops *a64_ops;
static int dropped;

static void lossy_run(void *ctx, struct rmm_vcpu *v, struct rmm_vcpu_exit *exit)
{
	if (!dropped) {
		struct rmm_vcpu_regs *g = rmm_vcpu_regs(v);

		printf("B: vCPU loaded without its timer: CNTV_CTL 0x%llx -> 0, CVAL 0x%llx -> 0\n",
		       (unsigned long long)g->cntv_ctl, (unsigned long long)g->cntv_cval);
		g->cntv_ctl = 0;
		g->cntv_cval = 0;
		dropped = 1;
	}
	a64_ops->run(ctx, v, exit);
}

static struct rmm_vcpu_ops lossy_ops;

static void show(const char *who, struct rmm *rmm, uint64_t rd)
{
	printf("%s: CVAL %llu, realm time last read %llu, wake-ups %llu, went back %llu, "
	       "IRQ at %llu (INTID %llu)\n", who,
	       (unsigned long long)realm_u64(rmm, rd, ST), (unsigned long long)realm_u64(rmm, rd, ST + 0x10),
	       (unsigned long long)realm_u64(rmm, rd, ST + 8), (unsigned long long)realm_u64(rmm, rd, ST + 0x18),
	       (unsigned long long)realm_u64(rmm, rd, ST + 0x20), (unsigned long long)realm_u64(rmm, rd, ST + 0x28));
}

int main(int argc, char **argv)
{
	static uint8_t img[IMG];
	int gpf = argc > 2 && !strcmp(argv[2], "--gpti-local");
	/* --gpti-local --spin: the guest is spin.S (`b .`), not timer.S */
	int spin = gpf && argc > 3 && !strcmp(argv[3], "--spin");
	struct rmm *ra = machine(0, 0), *rb = machine(gpf ? 2 : 0, gpf ? RMM_CFG_TLB_CHECK : 0);
	struct rmm_a64_ctx *xa = rmm_a64_ctx_new(20000), *xb = rmm_a64_ctx_new(20000);
	int drop = argc > 2 && !strcmp(argv[2], "--drop-timer");
	struct kvm_host ha, hb;
	struct kvm_realm r;
	struct kvm_vcpu v;
	struct kvm_run_stats st = { 0 };
	struct km_src s;
	static struct km_dst d;
	struct wire w = { &d, &hb, 0, 0 };
	uint8_t kf[32], kb[32];
	uint64_t cval = 0, t_src = 0, t_irq, intid, back, t_last;
	struct rmi_rec_run *run;
	enum kh_run_result res = KH_RUN_BUDGET;
	unsigned int rounds;
	FILE *f;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: mig_timer timer.bin [--drop-timer | --gpti-local]\n"
				"       mig_timer spin.bin --gpti-local --spin\n");
		return 2;
	}
	if (fread(img, 1, sizeof(img), f) == 0)
		return 2;
	fclose(f);
	if (!ra || !rb || !xa || !xb)
		return 1;
	kh_init(&ha, ra, 0x80000000ull, 64ull << 20);
	kh_init(&hb, rb, 0x80000000ull, 64ull << 20);
	if (gpf) {
		/* B's host used its first 64 pages on cpu1; B's GPT invalidations
		 * stay on the CPU that issues them; B imports on cpu0 */
		static uint8_t zero[4096];

		for (uint64_t pa = 0x80000000ull; pa < 0x80000000ull + 64 * 4096; pa += 4096)
			if (rmm_host_write_on(rb, 1, pa, zero, sizeof(zero)) != RMM_OK)
				return 1;
		rmm_set_faults(rb, RMM_FAULT_GPTI_LOCAL);
		hb.cpu = 0;
	}
	if (kh_realm_create(&ha, &r, 40, RMI_HASH_SHA_256, 1) || kh_populate(&ha, &r, 0, img, IMG, 1) ||
	    kh_vcpu_create(&ha, &r, &v, 0, 1, 0) || kh_activate(&ha, &r))
		return 1;
	rmm_set_vcpu_backend(ra, rmm_vcpu_a64_ops(), xa);
	/* the guest arms its timer and waits: 20 entries on A, well before the deadline */
	res = kh_vcpu_run(&ha, &r, &v, 1, 0, NULL, &st, 20);
	if (spin) {
		/* the report's `b .`: nothing to check on A but that it still runs */
		if (res != KH_RUN_BUDGET)
			return 1;
		printf("A: the `b .` guest runs (MMU off, %lu REC entries)\n", st.entries);
		goto migrate;
	}
	if (res != KH_RUN_BUDGET || realm_u64(ra, r.rd, ST + 8) < 10) {
		fprintf(stderr, "mig_timer: A's run ended %d after %llu wake-ups\n", res,
			(unsigned long long)realm_u64(ra, r.rd, ST + 8));
		return 1;
	}
	run = rmm_ns_ptr(ra, v.run);
	cval = realm_u64(ra, r.rd, ST);
	t_src = realm_u64(ra, r.rd, ST + 0x10);
	printf("A: guest armed its virtual timer (exit CNTV_CTL 0x%llx, CVAL %llu) and waits: "
	       "%llu wake-ups from WFI in %lu REC entries, realm time %llu\n",
	       (unsigned long long)run->exit.cntv_ctl, (unsigned long long)run->exit.cntv_cval,
	       (unsigned long long)realm_u64(ra, r.rd, ST + 8), st.entries, (unsigned long long)t_src);
	if (run->exit.cntv_ctl != 1 || run->exit.cntv_cval != cval || t_src >= cval)
		return 1;

migrate:
	/* the migration agents install the session keys on both machines */
	RAND_bytes(kf, 32);
	RAND_bytes(kb, 32);
	if (rmm_mig_key_install(ra, SESSION, RMM_MIG_FWD, kf) ||
	    rmm_mig_key_install(ra, SESSION, RMM_MIG_BWD, kb) ||
	    rmm_mig_key_install(rb, SESSION, RMM_MIG_FWD, kf) ||
	    rmm_mig_key_install(rb, SESSION, RMM_MIG_BWD, kb))
		return 1;
	if (km_src_init(&s, &ha, &r, emit, &w) || km_export_all(&s, SESSION, &v, 1, 4, 0, &rounds) ||
	    w.failed || km_import_commit(&d))
		return 1;
	printf("A -> B: %lu records in %u rounds, committed on B%s\n", s.records, rounds,
	       spin ? "" : realm_u64(rb, d.r.rd, ST + 0x20) ? " (timer fired on A: yes)"
							: " before the deadline (timer fired on A: no)");
	if (!spin && realm_u64(rb, d.r.rd, ST + 0x20))
		return 1;

	if (gpf) {
		/* the REC on cpu1: its first fetch (MMU off: IPA = PC) walks stage 2
		 * from the root RTT, delegated on cpu0 */
		struct rmm_finding fd[2];
		static char why[2048];
		size_t nf;

		rmm_set_vcpu_backend(rb, rmm_vcpu_a64_ops(), xb);
		run = rmm_ns_ptr(rb, d.vcpus[0].run);
		if (rmm_rmi_rec_enter(rb, 1, d.vcpus[0].rec, d.vcpus[0].run) != RMI_SUCCESS)
			return 1;
		rmm_explain_exit(rb, d.r.rd, &run->exit, why, sizeof(why));
		printf("B: REC exit on cpu1: ESR 0x%llx HPFAR 0x%llx\nB: explained: %s\n",
		       (unsigned long long)run->exit.esr, (unsigned long long)run->exit.hpfar, why);
		nf = rmm_findings(rb, fd, 2);
		for (size_t i = 0; i < nf && i < 2; i++)
			printf("B: finding (cpu%u, PA 0x%llx): %s\n", fd[i].cpu,
			       (unsigned long long)fd[i].pa, fd[i].text);
		if (run->exit.esr != 0x82000025 || nf < 1 || fd[0].cpu != 1 ||
		    fd[0].pa != d.r.rtt_base)
			return 1;
		goto teardown;
	}
	a64_ops = rmm_vcpu_a64_ops();
	lossy_ops = *a64_ops;
	lossy_ops.run = lossy_run;
	rmm_set_vcpu_backend(rb, drop ? &lossy_ops : a64_ops, xb);
	memset(&st, 0, sizeof(st));
	/* B runs the vCPU until SYSTEM_OFF, or (the zombie) until its realm
	 * time is 200 ms past the deadline */
	while (res == KH_RUN_BUDGET && realm_u64(rb, d.r.rd, ST + 0x10) < cval + 200000000ull)
		res = kh_vcpu_run(&hb, &d.r, d.vcpus, 1, 0, NULL, &st, 1000);
	show("B", rb, d.r.rd);
	t_irq = realm_u64(rb, d.r.rd, ST + 0x20);
	intid = realm_u64(rb, d.r.rd, ST + 0x28);
	back = realm_u64(rb, d.r.rd, ST + 0x18);
	t_last = realm_u64(rb, d.r.rd, ST + 0x10);
	if (back || t_last < t_src)
		return 1;
	if (drop) {
		run = rmm_ns_ptr(rb, d.vcpus[0].run);
		printf("B: ZOMBIE: runnable, %lu REC entries (%lu IRQ exits), no timer "
		       "interrupt; realm time %llu ns past its deadline; exit CNTV_CTL 0x%llx\n",
		       st.entries, st.irq, (unsigned long long)(t_last - cval),
		       (unsigned long long)run->exit.cntv_ctl);
		if (res != KH_RUN_BUDGET || t_irq || run->exit.cntv_ctl)
			return 1;
	} else {
		printf("B: the timer fired %llu ns after its CVAL (realm time), INTID %llu, "
		       "through the guest's vector; %lu REC entries (%lu IRQ exits); SYSTEM_OFF\n",
		       (unsigned long long)(t_irq - cval), (unsigned long long)intid, st.entries,
		       st.irq);
		if (res != KH_RUN_SYSTEM_OFF || t_irq < cval || intid != KH_PPI_VTIMER)
			return 1;
	}
teardown:
	rmm_set_vcpu_backend(ra, NULL, NULL);
	rmm_set_vcpu_backend(rb, NULL, NULL);
	if (kh_vcpu_destroy(&ha, &v) || kh_realm_destroy(&ha, &r) ||
	    kh_vcpu_destroy(&hb, &d.vcpus[0]) || kh_realm_destroy(&hb, &d.r) ||
	    (d.spare && kh_undelegate_free(&hb, d.spare)))
		return 1;
	rmm_a64_ctx_free(xa);
	rmm_a64_ctx_free(xb);
	kh_fini(&ha);
	kh_fini(&hb);
	rmm_destroy(ra);
	rmm_destroy(rb);
	printf("ok\n");
	return 0;
}
