/*
 * linux_realm --migrate-at: Debian's kernel boots in a realm on machine A
 * and is live-migrated mid-boot to machine B, another process, over a
 * socket (issue 13 item 1). A boots until its console has the given number
 * of bytes (at a line end), faults in the rest of the realm's RAM (no
 * DATA_CREATE_UNKNOWN while exporting), then exports while the kernel keeps
 * running: a round sends every page, the kernel runs on for 1000 REC exits,
 * each next round re-sends the pages it dirtied; when the dirty set is
 * small (or the kernel needs a page after all, or after 4 rounds) A
 * pauses, sends the last dirty pages, the REC and the end record, then the
 * VMM's own state: the REC's run page (the next entry's flags and the list
 * registers) and the emulated devices (pl011, GICv3). B imports every
 * record (kvmhost/kvm_migrate.c creates RTTs and delegates on demand),
 * commits and runs the same host loop: the console continues where it
 * stopped and the boot ends on B.
 *
 * The session keys go over a second socket standing for the two attested
 * migration agents; the host's socket carries records and VMM state only.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <openssl/rand.h>

#include <rmm/vcpu_a64.h>
#include "kvmhost/kvm_migrate.h"
#include "kvmhost/kvm_wire.h"
#include "linux_realm.h"

#define SESSION 0x6c696e75782d6d67ull
#define IPA_BITS 40
#define MAX_ROUNDS 4
#define SMALL_DIRTY 64
#define SLICE_EXITS 1000

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A line of the migration's own story, between console lines. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
}

/* Fault in every page of RAM not yet assigned: DATA_CREATE_UNKNOWN is
 * refused while the realm is exported, so a VMM maps the rest of the
 * realm's RAM first, or the first page the kernel touches ends the live
 * phase. Returns the number of pages faulted in, -1 on error. */
static long prefault(struct lr_boot *b, uint64_t base, uint64_t size)
{
	long n = 0;

	for (uint64_t ipa = base; ipa < base + size; ipa += 4096) {
		struct rmi_rtt_entry e;

		if (rmm_rmi_rtt_read_entry(b->h.rmm, b->h.cpu, b->r.rd, ipa, 3, &e) == RMI_SUCCESS &&
		    e.state == RMI_ASSIGNED)
			continue;
		if (kh_fault_in(&b->h, &b->r, ipa))
			return -1;
		n++;
	}
	return n;
}

int lr_migrate_source(struct lr_boot *b, int fd, int agent, double seconds, unsigned long at_tx,
		      uint64_t ram, uint64_t ram_size, uint64_t img_end)
{
	struct rmm *rmm = b->h.rmm;
	struct lr_stop boot = { .tx = at_tx }, live = { .exits = SLICE_EXITS, .defer_faults = 1 };
	struct km_wire w = { fd, 0 };
	struct km_src s;
	uint8_t kf[32], kb[32];
	unsigned long sent, resent = 0;
	unsigned int round = 0;
	double tp;
	int rc, status = 1;
	long n;

	RAND_bytes(kf, sizeof(kf));
	RAND_bytes(kb, sizeof(kb));
	if (km_write_all(agent, kf, 32) || km_write_all(agent, kb, 32) ||
	    rmm_mig_key_install(rmm, SESSION, RMM_MIG_FWD, kf) ||
	    rmm_mig_key_install(rmm, SESSION, RMM_MIG_BWD, kb))
		return -1;
	memset(kf, 0, sizeof(kf));
	memset(kb, 0, sizeof(kb));
	rc = lr_run(b, seconds, &boot);
	if (rc != 1) {
		say("linux_migrate: A: the boot ended (%d) before %lu console bytes\n", rc, at_tx);
		return -1;
	}
	tp = now_s();
	n = prefault(b, ram, ram_size);
	if (n < 0)
		return -1;
	say("linux_migrate: A: console at %lu bytes, %lu REC exits; %ld pages of RAM faulted in "
	    "(%.1f s); exporting to B while the kernel runs\n", b->d.tx_bytes, b->exits, n,
	    now_s() - tp);
	if (km_src_init(&s, &b->h, &b->r, km_wire_emit, &w) || km_export_start(&s, SESSION) ||
	    km_export_layout(&s))
		return -1;
	for (;;) {
		if (km_export_round(&s, 0, &sent) || km_export_epoch(&s))
			return -1;
		round++;
		if (round > 1)
			resent += sent;
		rc = lr_run(b, seconds, &live);
		say("linux_migrate: A: round %u sent %lu pages; the kernel ran on (console at %lu "
		    "bytes) and dirtied %llu\n", round, sent, b->d.tx_bytes,
		    (unsigned long long)km_dirty(&s));
		if (rc == 2) {
			say("linux_migrate: A: the kernel needs a new page (no fault-in while "
			    "exporting): pausing now\n");
			break;
		}
		if (rc != 1)
			return -1;
		if (round >= MAX_ROUNDS || km_dirty(&s) <= SMALL_DIRTY)
			break;
	}
	tp = now_s();
	if (km_export_pause(&s) || km_export_recs(&s, &b->v, 1) || km_export_round(&s, 0, &sent) ||
	    km_export_end(&s))
		return -1;
	resent += sent;
	/* the VMM's state: the next entry (flags, list registers) and the devices */
	if (km_send_msg(fd, KM_MSG_END, NULL, 0) ||
	    km_write_all(fd, rmm_ns_ptr(rmm, b->v.run), sizeof(struct rmi_rec_run)) ||
	    km_write_all(fd, &b->d, sizeof(b->d)) || km_write_all(fd, &ram, 8) ||
	    km_write_all(fd, &img_end, 8))
		return -1;
	say("linux_migrate: A: paused after %u rounds, %lu pages re-sent (dirtied while the kernel ran); %lu "
	    "final pages, REC, end record: %lu records, %lu bytes, pause to handover %.0f ms; "
	    "console at %lu bytes, %lu REC exits\n", round, resent, sent, s.records, w.bytes,
	    (now_s() - tp) * 1e3, b->d.tx_bytes, b->exits);
	/* A is destroy-only now; B finishes the boot */
	if (rmm_rmi_rec_enter(rmm, b->h.cpu, b->v.rec, b->v.run) != RMI_RETURN(RMI_ERROR_REALM, 2))
		return -1;
	close(fd);
	if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
			say("linux_migrate: B's REC took a Granule Protection Fault\n");
		else
			say("linux_migrate: B failed\n");
		return WIFEXITED(status) && WEXITSTATUS(status) == 3 ? 3 : -1;
	}
	return resent ? 0 : (say("linux_migrate: no page was re-sent while running\n"), -1);
}

/* B's REC stopped on a Granule Protection Fault: what the host sees. */
static void report_gpf(struct rmm *rmm, struct lr_boot *b, uint64_t ram, uint64_t ram_end)
{
	struct rmi_rec_run *run = rmm_ns_ptr(rmm, b->v.run);
	struct rmm_finding fd[4];
	uint64_t ipa = (run->exit.hpfar & 0x00000ffffffffff0ull) << 8;
	static char why[4096];
	size_t n;

	rmm_explain_exit(rmm, b->r.rd, &run->exit, why, sizeof(why));
	say("linux_migrate: B: REC exit on cpu%u: ESR 0x%llx HPFAR 0x%llx (IPA 0x%llx, %s the "
	    "kernel's image) FAR 0x%llx\n", b->h.cpu, (unsigned long long)run->exit.esr,
	    (unsigned long long)run->exit.hpfar, (unsigned long long)ipa,
	    ipa >= ram && ipa < ram_end ? "inside" : "outside", (unsigned long long)run->exit.far);
	say("linux_migrate: B: explained: %s\n", why);
	n = rmm_findings(rmm, fd, 4);
	for (size_t i = 0; i < n && i < 4; i++)
		say("linux_migrate: B: finding (cpu%u, PA 0x%llx, IPA 0x%llx): %s\n", fd[i].cpu,
		    (unsigned long long)fd[i].pa, (unsigned long long)fd[i].ipa, fd[i].text);
}

static int emit_file(void *ctx, const void *buf, size_t len)
{
	return fwrite(buf, 1, len, ctx) == len ? 0 : -1;
}

/* B's timeline (each CPU's last events: the import's tail on cpu0, the REC
 * run and the finding on cpu1) as Perfetto/Chrome trace-event JSON. */
static int save_timeline(struct rmm *rmm, const char *path)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f)
		return -1;
	rc = rmm_timeline_save(rmm, emit_file, f);
	if (fclose(f) != 0)
		rc = -1;
	if (rc == 0)
		say("linux_migrate: B: timeline written to %s (open it at ui.perfetto.dev)\n", path);
	return rc;
}

int lr_migrate_dest(int fd, int agent, const struct rmm_config *cfg, double seconds,
		    struct rmm_a64_ctx *a64, const struct lr_dest_opts *o)
{
	static uint8_t buf[RMM_MIG_MAX_RECORD];
	static uint8_t page[4096];
	static struct km_dst d;
	struct lr_boot *b = calloc(1, sizeof(*b));
	struct rmm_config c = *cfg;
	uint8_t kf[32], kb[32];
	uint64_t img_lo = 0, img_hi = 0;
	struct rmm *rmm;
	int started = 0, rc;
	double t0;

	if (o->cpu || o->gpti_local)
		c.ncpus = 2;
	if (o->gpti_local)
		c.flags |= RMM_CFG_TLB_CHECK;
	if (o->timeline)
		c.flags |= RMM_CFG_TIMELINE;
	if (!b || o->cpu >= c.ncpus || rmm_create(&c, &rmm) != RMM_OK)
		return 1;
	kh_init(&b->h, rmm, c.dram_base, c.dram_size);
	b->h.cpu = 0;  /* the importing CPU */
	if (c.ncpus > 1) {
		/* B's host used the first pages of its pool on CPU 1 before
		 * (another VMM thread): CPU 1's GPT cache holds NS for them; the
		 * import takes its RD and root RTTs from there */
		for (uint64_t pa = c.dram_base; pa < c.dram_base + 64 * sizeof(page); pa += sizeof(page))
			if (rmm_host_write_on(rmm, 1, pa, page, sizeof(page)) != RMM_OK)
				return 1;
	}
	if (o->gpti_local)
		rmm_set_faults(rmm, RMM_FAULT_GPTI_LOCAL);
	if (km_read_all(agent, kf, 32) || km_read_all(agent, kb, 32) ||
	    rmm_mig_key_install(rmm, SESSION, RMM_MIG_FWD, kf) ||
	    rmm_mig_key_install(rmm, SESSION, RMM_MIG_BWD, kb))
		return 1;
	for (;;) {
		uint32_t m[2];

		if (km_read_all(fd, m, sizeof(m)) || m[1] > sizeof(buf) || km_read_all(fd, buf, m[1]))
			return 1;
		if (m[0] == KM_MSG_END)
			break;
		if (!started) {
			if (km_import_start(&d, &b->h, IPA_BITS, 1, SESSION, buf, m[1]))
				return 1;
			started = 1;
		} else if (km_import_record(&d, buf, m[1])) {
			return 1;
		}
	}
	if (km_import_commit(&d))
		return 1;
	b->r = d.r;
	b->v = d.vcpus[0];
	if (km_read_all(fd, rmm_ns_ptr(rmm, b->v.run), sizeof(struct rmi_rec_run)) ||
	    km_read_all(fd, &b->d, sizeof(b->d)) || km_read_all(fd, &img_lo, 8) || km_read_all(fd, &img_hi, 8))
		return 1;
	b->h.cpu = o->cpu;
	say("linux_migrate: B (%u CPUs%s): %lu records imported on cpu0, %lu RTTs created, "
	    "committed; the kernel continues on cpu%u\n", c.ncpus,
	    o->gpti_local ? ", GPT invalidations local" : "", d.records, d.rtts, o->cpu);
	if (rmm_set_vcpu_backend(rmm, rmm_vcpu_a64_ops(), a64) != RMM_OK)
		return 1;
	t0 = now_s();
	rc = lr_run(b, seconds, NULL);
	if (rc == 3) {
		report_gpf(rmm, b, img_lo, img_hi);
		rc = 3;
	} else {
		lr_summary(b, a64, now_s() - t0);
		say("linux_migrate: B: console %lu bytes in all\n", b->d.tx_bytes);
		rc = rc == 0 && b->psci_end ? 0 : 1;
	}
	if (o->timeline && save_timeline(rmm, o->timeline) != 0) {
		say("linux_migrate: B: cannot write the timeline to %s\n", o->timeline);
		rc = 1;
	}
	rmm_set_vcpu_backend(rmm, NULL, NULL);
	rmm_destroy(rmm);
	free(b);
	return rc;
}
