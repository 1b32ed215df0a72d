/*
 * linux_realm: boot an arm64 Linux Image in a realm on the AArch64
 * interpreter. The host side follows Linux KVM's CCA series (via
 * examples/kvmhost): a realm with 256 MiB of RAM at IPA 0x80000000, the
 * kernel measured into it at the start of RAM, a DTB this program writes
 * (memory, one CPU, PSCI over SMC, the armv8 timer, a GICv3, a pl011) 128
 * MiB above it, x0 = the DTB. The devices live in the realm's unprotected
 * IPA half: every access is an emulatable data abort this host answers (a
 * pl011 that prints, a GICv3 distributor and redistributor). The virtual
 * timer is injected through the list registers when an exit shows it
 * asserted. Ends when the realm calls PSCI SYSTEM_OFF or SYSTEM_RESET.
 *
 *   linux_realm IMAGE [--initrd FILE] [--cmdline "..."] [--seconds N]
 *               [--migrate-at BYTES [--dest-cpu N] [--gpti-local] [--timeline FILE]]
 *
 * --migrate-at: the boot starts on machine A and, once the console has
 * BYTES bytes, is live-migrated to machine B, a forked process (see
 * linux_migrate.c), where it finishes. --dest-cpu 1: B has two CPUs,
 * imports on CPU 0 and runs the REC on CPU 1; --gpti-local: B's GPT
 * invalidations reach only the CPU that issues them (fault injection).
 *
 * Exit status 0 when the realm reset or powered off, 1 otherwise. The last
 * line it prints is a summary (instructions, timer interrupts, exits).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include <rmm/vcpu_a64.h>
#include "kvmhost/kvm_host.h"
#include "linux_realm.h"

#define RAM_IPA 0x80000000ull
#define RAM_SIZE (256ull << 20)
#define DTB_OFF (128ull << 20)
#define INITRD_OFF (192ull << 20)
#define IPA_BITS 40
#define UNPROT (1ull << (IPA_BITS - 1))
#define GICD_IPA (UNPROT + 0x08000000ull)
#define GICR_IPA (UNPROT + 0x080a0000ull)
#define UART_IPA (UNPROT + 0x09000000ull)
#define HOST_DRAM (640ull << 20)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f) {
		perror(path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "%s: read failed\n", path);
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The devices on MMIO exits: returns 0 if handled. */
static int mmio(struct lr_devs *d, uint64_t ipa, int write, unsigned int sas, uint64_t *val)
{
	if (ipa >= UART_IPA && ipa < UART_IPA + 0x1000)
		return lr_uart_access(d, ipa - UART_IPA, write, sas, val);
	if (ipa >= GICD_IPA && ipa < GICD_IPA + 0x10000)
		return lr_gicd_access(d, ipa - GICD_IPA, write, sas, val);
	if (ipa >= GICR_IPA && ipa < GICR_IPA + 0x20000)
		return lr_gicr_access(d, ipa - GICR_IPA, write, sas, val);
	return -1;
}

int lr_run(struct lr_boot *b, double seconds, const struct lr_stop *stop)
{
	struct rmi_rec_run *run = rmm_ns_ptr(b->h.rmm, b->v.run);
	unsigned long exits0 = b->exits;
	double t0 = now_s();

	for (;;) {
		uint64_t ret, ec, ipa, flags = RMI_ENTER_TRAP_WFI;

		if (lr_inject_timer(&b->d, run))
			b->timer_irqs++;
		ret = rmm_rmi_rec_enter(b->h.rmm, b->h.cpu, b->v.rec, b->v.run);
		b->exits++;
		if (ret != RMI_SUCCESS) {
			fprintf(stderr, "linux_realm: REC_ENTER: %s\n", rmm_last_reason(b->h.rmm, b->h.cpu));
			return -1;
		}
		if ((b->exits & 1023) == 0 && now_s() - t0 > seconds) {
			fprintf(stderr, "linux_realm: no PSCI SYSTEM_OFF/RESET after %.0f s\n", seconds);
			return -1;
		}
		switch (run->exit.exit_reason) {
		case RMI_EXIT_IRQ:
		case RMI_EXIT_FIQ:
			break;
		case RMI_EXIT_SYNC:
			ec = run->exit.esr >> 26;
			if (ec == 0x01) {  /* WFI: wait a little for the timer */
				struct timespec ts = { 0, 100000 };

				b->wfi++;
				nanosleep(&ts, NULL);
				break;
			}
			if (ec == 0x18)  /* ICC_SGI1R: one CPU, nothing to send */
				break;
			if (ec != 0x24 && ec != 0x20) {
				fprintf(stderr, "linux_realm: unexpected exit esr 0x%llx\n",
					(unsigned long long)run->exit.esr);
				return -1;
			}
			ipa = ((run->exit.hpfar & 0x00000ffffffffff0ull) << 8) | (run->exit.far & 0xfff);
			if ((run->exit.esr & 0x3f) >= 0x23 && (run->exit.esr & 0x3f) <= 0x28) {
				/* a Granule Protection Fault: no page to fault in */
				return 3;
			}
			if (ipa < UNPROT) {
				if (stop && stop->defer_faults) {
					run->enter.flags = flags;
					return 2;
				}
				if (kh_fault_in(&b->h, &b->r, ipa))
					return -1;
				b->faults++;
				break;
			}
			if (!(run->exit.esr & (1ull << 24))) {
				fprintf(stderr, "linux_realm: non-emulatable access at IPA 0x%llx (esr 0x%llx)\n",
					(unsigned long long)ipa, (unsigned long long)run->exit.esr);
				flags |= RMI_ENTER_INJECT_SEA;
				break;
			}
			{
				int write = !!(run->exit.esr & (1ull << 6));
				unsigned int sas = (unsigned int)((run->exit.esr >> 22) & 3);
				uint64_t val = write ? run->exit.gprs[0] : 0;

				if (mmio(&b->d, ipa, write, sas, &val)) {
					flags |= RMI_ENTER_INJECT_SEA;
					break;
				}
				if (!write)
					run->enter.gprs[0] = val;
				flags |= RMI_ENTER_EMUL_MMIO;
				b->mmio++;
			}
			break;
		case RMI_EXIT_PSCI:
			if (run->exit.gprs[0] == 0x84000008ull) {
				b->psci_end = 1;
				return 0;
			}
			if (run->exit.gprs[0] == 0x84000009ull) {
				b->psci_end = 2;
				return 0;
			}
			if ((run->exit.gprs[0] & 0xffff) == 3 || (run->exit.gprs[0] & 0xffff) == 4) {
				/* CPU_ON / AFFINITY_INFO of a CPU that does not exist */
				ret = rmm_rmi_psci_complete(b->h.rmm, b->h.cpu, b->v.rec, b->v.rec,
							    0xfffffffeull);
				(void)ret;
			}
			break;
		default:
			fprintf(stderr, "linux_realm: exit reason %u\n", run->exit.exit_reason);
			return -1;
		}
		run->enter.flags = flags;
		if (stop && (stop->tx || stop->exits) && b->d.last_tx == '\n' &&
		    (!stop->tx || b->d.tx_bytes >= stop->tx) &&
		    (!stop->exits || b->exits - exits0 >= stop->exits))
			return 1;
	}
}

void lr_summary(const struct lr_boot *b, const struct rmm_a64_ctx *a64, double secs)
{
	fflush(stdout);
	fprintf(stderr,
		"\nlinux_realm: %s after %.1f s: %llu instructions (%.1f M/s), %lu timer interrupts "
		"injected, %lu REC exits (%lu WFI, %lu MMIO, %lu pages faulted in)\n",
		b->psci_end == 2 ? "PSCI SYSTEM_RESET" : b->psci_end == 1 ? "PSCI SYSTEM_OFF" : "stopped",
		secs, (unsigned long long)rmm_a64_retired(a64), rmm_a64_retired(a64) / 1e6 / secs,
		b->timer_irqs, b->exits, b->wfi, b->mmio, b->faults);
	{
		uint64_t fills, runs;

		rmm_a64_block_stats(a64, &fills, &runs);
		fprintf(stderr, "linux_realm: decoded blocks: %llu fetched, %llu executed\n",
			(unsigned long long)fills, (unsigned long long)runs);
	}
}

int main(int argc, char **argv)
{
	const char *image = NULL, *initrd_path = NULL;
	const char *cmdline = "console=ttyAMA0 earlycon=pl011,0x8009000000 panic=1 nokaslr";
	double seconds = 600;
	struct rmm_config cfg;
	struct rmm_a64_ctx *a64;
	struct rmm *rmm;
	struct lr_boot *b;
	uint8_t *img, *initrd = NULL, dtb[8192];
	size_t img_len, initrd_len = 0, dtb_len;
	uint64_t gprs[8] = { 0 };
	unsigned long migrate_at = 0;
	struct lr_dest_opts dest = { 0, 0, NULL };
	int sv[2], ag[2];
	double t0, t1;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--initrd") && i + 1 < argc)
			initrd_path = argv[++i];
		else if (!strcmp(argv[i], "--cmdline") && i + 1 < argc)
			cmdline = argv[++i];
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = atof(argv[++i]);
		else if (!strcmp(argv[i], "--migrate-at") && i + 1 < argc)
			migrate_at = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--dest-cpu") && i + 1 < argc)
			dest.cpu = (unsigned int)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--gpti-local"))
			dest.gpti_local = 1;
		else if (!strcmp(argv[i], "--timeline") && i + 1 < argc)
			dest.timeline = argv[++i];
		else
			image = argv[i];
	}
	if (!image) {
		fprintf(stderr, "usage: linux_realm IMAGE [--initrd FILE] [--cmdline ARGS] [--seconds N]\n"
				"  (scripts/setup.sh fetches Debian 12's arm64 kernel into third_party/linux)\n");
		return 2;
	}
	img = read_file(image, &img_len);
	if (!img)
		return 1;
	if (img_len < 64 || memcmp(img + 56, "ARM\x64", 4) != 0) {
		fprintf(stderr, "linux_realm: %s is not an arm64 Image (no ARM\\x64 magic)\n", image);
		return 1;
	}
	if (initrd_path && !(initrd = read_file(initrd_path, &initrd_len)))
		return 1;
	dtb_len = lr_make_dtb(dtb, sizeof(dtb), cmdline, RAM_IPA, RAM_SIZE, GICD_IPA, GICR_IPA, UART_IPA,
			      initrd ? RAM_IPA + INITRD_OFF : 0, initrd_len);
	if (!dtb_len) {
		fprintf(stderr, "linux_realm: DTB does not fit\n");
		return 1;
	}
	rmm_config_init(&cfg);
	cfg.ncpus = 1;
	cfg.dram_base = 0x100000000ull;
	cfg.dram_size = HOST_DRAM;
	a64 = rmm_a64_ctx_new(100000);
	if (migrate_at) {
		/* machine B: a second process, created before A has anything */
		pid_t pid;

		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || socketpair(AF_UNIX, SOCK_STREAM, 0, ag))
			return 1;
		fflush(NULL);
		pid = fork();
		if (pid < 0)
			return 1;
		if (pid == 0) {
			close(sv[0]);
			close(ag[0]);
			rc = lr_migrate_dest(sv[1], ag[1], &cfg, seconds, a64, &dest);
			fflush(NULL);
			_exit(rc);
		}
		close(sv[1]);
		close(ag[1]);
	}
	if (rmm_create(&cfg, &rmm) != RMM_OK) {
		fprintf(stderr, "linux_realm: rmm_create failed\n");
		return 1;
	}
	b = calloc(1, sizeof(*b));
	kh_init(&b->h, rmm, cfg.dram_base, cfg.dram_size);
	b->h.cpu = 0;
	t0 = now_s();
	rc = kh_realm_create(&b->h, &b->r, IPA_BITS, RMI_HASH_SHA_256, 1) ||
	     kh_init_ripas(&b->h, &b->r, RAM_IPA, RAM_SIZE) ||
	     kh_populate(&b->h, &b->r, RAM_IPA, img, img_len, 1) ||
	     kh_populate(&b->h, &b->r, RAM_IPA + DTB_OFF, dtb, dtb_len, 1) ||
	     (initrd && kh_populate(&b->h, &b->r, RAM_IPA + INITRD_OFF, initrd, initrd_len, 1));
	gprs[0] = RAM_IPA + DTB_OFF;
	rc = rc || kh_vcpu_create_gprs(&b->h, &b->r, &b->v, 0, 1, RAM_IPA, gprs) ||
	     kh_activate(&b->h, &b->r);
	if (rc) {
		fprintf(stderr, "linux_realm: building the realm failed\n");
		return 1;
	}
	if (rmm_set_vcpu_backend(rmm, rmm_vcpu_a64_ops(), a64) != RMM_OK)
		return 1;
	lr_devs_init(&b->d);
	fprintf(stderr, "linux_realm: realm built in %.2f s (%zu-byte Image, %zu-byte DTB); booting\n",
		now_s() - t0, img_len, dtb_len);
	t1 = now_s();
	((struct rmi_rec_run *)rmm_ns_ptr(rmm, b->v.run))->enter.flags = RMI_ENTER_TRAP_WFI;
	if (migrate_at) {
		rc = lr_migrate_source(b, sv[0], ag[0], seconds, migrate_at, RAM_IPA, RAM_SIZE,
				       RAM_IPA + img_len);
		rmm_set_vcpu_backend(rmm, NULL, NULL);
		rmm_a64_ctx_free(a64);
		rmm_destroy(rmm);
		free(img);
		free(initrd);
		free(b);
		return rc == 3 ? 3 : rc ? 1 : 0;
	}
	rc = lr_run(b, seconds, NULL);
	lr_summary(b, a64, now_s() - t1);
	rc = rc == 0 && b->psci_end ? 0 : 1;
	rmm_set_vcpu_backend(rmm, NULL, NULL);
	rmm_a64_ctx_free(a64);
	rmm_destroy(rmm);
	free(img);
	free(initrd);
	free(b);
	return rc;
}
