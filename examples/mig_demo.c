/*
 * Live migration of a running realm between two processes (two machines)
 * over a socketpair. The guest (examples/guests/count.S, real AArch64 code
 * with its MMU on, on the interpreter backend) keeps counting, hashing and
 * dirtying 64 KiB while the source exports it; the source pauses it when
 * the dirty set is small, sends the rest, its REC and the end record; the
 * destination imports, commits, proves that its memory equals the source's
 * at pause (SHA-256 of the guest's 128 KiB), resumes the guest and checks
 * that it continued from where it stopped: the counter went on, the hash
 * chain is unbroken, the realm's counter never went back.
 *
 * The session keys go over a second channel that stands for the two
 * attested migration agents; the host's socket carries only records.
 * Both machines use the software GPT so that the demo's hosts may read
 * realm memory for the proof (real hardware would not let them).
 *
 * Usage: mig_demo path/to/count.bin
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <openssl/rand.h>
#include <openssl/evp.h>

#include <rmm/vcpu_a64.h>
#include "kvmhost/kvm_migrate.h"
#include "kvmhost/kvm_wire.h"

#define SESSION 0x6d69672d64656d6full
#define IMG (128u << 10)

static struct rmm *machine(void)
{
	struct rmm_config cfg;
	struct rmm *r;

	rmm_config_init(&cfg);
	cfg.dram_size = 64ull << 20;
	cfg.flags = RMM_CFG_GPT_SOFTWARE;
	return rmm_create(&cfg, &r) == RMM_OK ? r : NULL;
}

/* SHA-256 of the guest's [0, IMG) as the host reads it through the NS view. */
static void realm_digest(struct rmm *rmm, uint64_t rd, uint8_t out[32])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();

	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	for (uint64_t ipa = 0; ipa < IMG; ipa += 4096) {
		struct rmi_rtt_entry e;

		rmm_rmi_rtt_read_entry(rmm, 0, rd, ipa, 3, &e);
		EVP_DigestUpdate(c, rmm_ns_ptr(rmm, e.desc & 0x0000fffffffff000ull), 4096);
	}
	EVP_DigestFinal_ex(c, out, NULL);
	EVP_MD_CTX_free(c);
}

static uint64_t realm_u64(struct rmm *rmm, uint64_t rd, uint64_t ipa)
{
	struct rmi_rtt_entry e;

	rmm_rmi_rtt_read_entry(rmm, 0, rd, ipa & ~4095ull, 3, &e);
	return *(uint64_t *)((uint8_t *)rmm_ns_ptr(rmm, e.desc & 0x0000fffffffff000ull) +
			     (ipa & 4095));
}

struct runner {
	struct rmm *rmm;
	struct kvm_vcpu *v;
	_Atomic unsigned long entries;
};

/* The REC on CPU 1 until the pause refuses REC_ENTER. */
static void *run_rec(void *arg)
{
	struct runner *r = arg;

	for (;;) {
		uint64_t ret = rmm_rmi_rec_enter(r->rmm, 1, r->v->rec, r->v->run);

		if (ret != RMI_SUCCESS)
			break;
		atomic_fetch_add(&r->entries, 1);
	}
	return NULL;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int source(int fd, int agent, const uint8_t *img, size_t n)
{
	struct rmm *rmm = machine();
	struct rmm_a64_ctx *a64 = rmm_a64_ctx_new(20000);
	uint8_t kf[32], kb[32], dig[32];
	struct km_wire w = { fd, 0 };
	struct kvm_host h;
	struct kvm_realm r;
	struct kvm_vcpu v;
	struct km_src s;
	struct runner run = { 0 };
	pthread_t t;
	unsigned int rounds = 0;
	unsigned long sent;
	double t0, tp;

	if (!rmm || !a64)
		return 1;
	kh_init(&h, rmm, 0x80000000ull, 64ull << 20);
	if (kh_realm_create(&h, &r, 40, RMI_HASH_SHA_256, 1) || kh_populate(&h, &r, 0, img, IMG, 1) ||
	    kh_vcpu_create(&h, &r, &v, 0, 1, 0) || kh_activate(&h, &r))
		return 1;
	rmm_set_vcpu_backend(rmm, rmm_vcpu_a64_ops(), a64);
	/* the agents agree on keys for this session; each installs them */
	RAND_bytes(kf, sizeof(kf));
	RAND_bytes(kb, sizeof(kb));
	if (km_write_all(agent, kf, 32) || km_write_all(agent, kb, 32) ||
	    rmm_mig_key_install(rmm, SESSION, RMM_MIG_FWD, kf) ||
	    rmm_mig_key_install(rmm, SESSION, RMM_MIG_BWD, kb))
		return 1;
	memset(kf, 0, 32);
	memset(kb, 0, 32);

	run.rmm = rmm;
	run.v = &v;
	pthread_create(&t, NULL, run_rec, &run);
	while (atomic_load(&run.entries) < 50)
		usleep(1000);
	printf("source: guest running (counter %llu); exporting while it runs\n",
	       (unsigned long long)realm_u64(rmm, r.rd, 0x8000));
	t0 = now();
	if (km_src_init(&s, &h, &r, km_wire_emit, &w) || km_export_start(&s, SESSION) || km_export_layout(&s))
		return 1;
	do {
		if (km_export_round(&s, 0, &sent) || km_export_epoch(&s))
			return 1;
		printf("source: round %u sent %lu pages; %llu dirty since\n", ++rounds, sent,
		       (unsigned long long)km_dirty(&s));
	} while (rounds < 8 && km_dirty(&s) > 4);
	tp = now();
	if (km_export_pause(&s))
		return 1;
	pthread_join(t, NULL);
	if (km_export_recs(&s, &v, 1) || km_export_round(&s, 0, &sent) || km_export_end(&s))
		return 1;
	realm_digest(rmm, r.rd, dig);
	printf("source: paused at counter %llu; %lu final pages, REC, end record; "
	       "%lu records, %lu bytes; pause to end %.1f ms\n",
	       (unsigned long long)realm_u64(rmm, r.rd, 0x8000), sent, s.records, w.bytes,
	       (now() - tp) * 1e3);
	if (km_send_msg(fd, KM_MSG_END, NULL, 0) || km_send_msg(fd, KM_MSG_DIGEST, dig, 32))
		return 1;
	(void)t0;
	/* the source stays destroy-only after its end record */
	if (rmm_rmi_rec_enter(rmm, 0, v.rec, v.run) != RMI_RETURN(RMI_ERROR_REALM, 2))
		return 1;
	rmm_set_vcpu_backend(rmm, NULL, NULL);
	if (kh_vcpu_destroy(&h, &v) || kh_realm_destroy(&h, &r))
		return 1;
	rmm_a64_ctx_free(a64);
	kh_fini(&h);
	rmm_destroy(rmm);
	return 0;
}

static int destination(int fd, int agent)
{
	struct rmm *rmm = machine();
	struct rmm_a64_ctx *a64 = rmm_a64_ctx_new(20000);
	static uint8_t buf[RMM_MIG_MAX_RECORD];
	uint8_t kf[32], kb[32], dig[32], mine[32];
	struct kvm_host h;
	struct km_dst d;
	struct rmm_stats st;
	uint64_t c0, c1, hash, want = 0, prev = 0, back;
	int started = 0;

	if (!rmm || !a64)
		return 1;
	kh_init(&h, rmm, 0x80000000ull, 64ull << 20);
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
			if (km_import_start(&d, &h, 40, 1, SESSION, buf, m[1]))
				return 1;
			started = 1;
		} else if (km_import_record(&d, buf, m[1])) {
			return 1;
		}
	}
	if (km_import_commit(&d))
		return 1;
	printf("destination: %lu records imported, %lu RTTs created, committed\n", d.records, d.rtts);
	if (km_read_all(fd, (uint32_t[2]){ 0 }, 8) || km_read_all(fd, dig, 32))
		return 1;
	realm_digest(rmm, d.r.rd, mine);
	c0 = realm_u64(rmm, d.r.rd, 0x8000);
	printf("destination: memory %s the source's at pause (SHA-256 %02x%02x%02x%02x...)\n",
	       memcmp(dig, mine, 32) ? "DIFFERS FROM" : "equals", mine[0], mine[1], mine[2], mine[3]);
	if (memcmp(dig, mine, 32))
		return 1;
	/* the guest continues where it stopped */
	rmm_set_vcpu_backend(rmm, rmm_vcpu_a64_ops(), a64);
	for (int i = 0; i < 50; i++)
		if (rmm_rmi_rec_enter(rmm, 0, d.vcpus[0].rec, d.vcpus[0].run) != RMI_SUCCESS)
			return 1;
	c1 = realm_u64(rmm, d.r.rd, 0x8000);
	hash = realm_u64(rmm, d.r.rd, 0x8008);
	back = realm_u64(rmm, d.r.rd, 0x8018);
	/* the guest may have stopped between its counter and its hash store:
	 * the hash is then the previous value's */
	for (uint64_t i = 1; i <= c1; i++) {
		prev = want;
		want = (want ^ i) * 0x100000001b3ull;
	}
	printf("destination: guest resumed: counter %llu -> %llu, hash chain %s, realm time went "
	       "back %llu times\n", (unsigned long long)c0, (unsigned long long)c1,
	       hash == want || hash == prev ? "unbroken" : "BROKEN", (unsigned long long)back);
	if (c1 <= c0 || (hash != want && hash != prev) || back)
		return 1;
	rmm_set_vcpu_backend(rmm, NULL, NULL);
	if (kh_vcpu_destroy(&h, &d.vcpus[0]) || kh_realm_destroy(&h, &d.r) ||
	    (d.spare && kh_undelegate_free(&h, d.spare)))
		return 1;
	rmm_get_stats(rmm, &st);
	printf("destination: teardown: %llu granules delegated\n", (unsigned long long)st.delegated);
	rmm_a64_ctx_free(a64);
	kh_fini(&h);
	rmm_destroy(rmm);
	return st.delegated != 0;
}

int main(int argc, char **argv)
{
	static uint8_t img[IMG];
	int sv[2], ag[2], status = 1;
	pid_t pid;
	FILE *f;
	size_t n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: mig_demo count.bin\n");
		return 2;
	}
	n = fread(img, 1, sizeof(img), f);
	fclose(f);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) || socketpair(AF_UNIX, SOCK_STREAM, 0, ag))
		return 1;
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		close(sv[0]);
		close(ag[0]);
		int rc = destination(sv[1], ag[1]);

		fflush(stdout);
		_exit(rc);
	}
	close(sv[1]);
	close(ag[1]);
	if (source(sv[0], ag[0], img, n)) {
		fprintf(stderr, "mig_demo: the source failed\n");
		kill(pid, SIGKILL);
	}
	close(sv[0]);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "mig_demo: the destination failed\n");
		return 1;
	}
	printf("ok\n");
	return 0;
}
