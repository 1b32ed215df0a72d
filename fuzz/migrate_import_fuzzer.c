/*
 * The migration import stream. A fixed source realm (two RECs, data and
 * zero pages, a DESTROYED page, RIPAS RAM unassigned space) is exported
 * once; each input then decides, record by record, what the destination
 * receives: the record as sent, a byte of it changed, the record dropped,
 * two records swapped, a record sent twice, an IMPORT_ABORT or an early
 * COMMIT. Invariants: every refusal is a status the ABI defines, a failed
 * import leaves the realm IMPORT_FAILED and destroyable; at the end the
 * destination is torn down, the invariant checker passes and every granule
 * is UNDELEGATED. FUZZ_DEEP=1 runs the checker after every call.
 */
#include <rmm/migrate.h>
#include "fuzz_common.h"
#include "examples/kvmhost/kvm_migrate.h"

#define SESSION 0x6d696721ull
#define SRC_DRAM (32ull << 20)
#define DST_DRAM (8ull << 20)
#define MAXREC 96

static struct {
	int ready, deep;
	size_t n;
	size_t len[MAXREC];
	uint8_t *b[MAXREC];
	uint8_t kf[32], kb[32];
} T;

static int collect(void *ctx, unsigned int stream, const void *rec, size_t len)
{
	if (T.n == MAXREC)
		return -1;
	T.b[T.n] = malloc(len);
	memcpy(T.b[T.n], rec, len);
	T.len[T.n++] = len;
	return 0;
}

static struct rmm *machine(uint64_t size)
{
	struct rmm_config cfg;
	struct rmm *r;

	rmm_config_init(&cfg);
	cfg.dram_size = size;
	cfg.flags = RMM_CFG_GPT_SOFTWARE;
	if (rmm_create(&cfg, &r) != RMM_OK)
		abort();
	return r;
}

static void check(struct rmm *r, const char *when)
{
	char why[256];

	if (rmm_check_invariants(r, why, sizeof(why)) != RMM_OK) {
		fprintf(stderr, "invariant broken %s: %s\n", when, why);
		abort();
	}
}

/* The template stream, made once. */
static void make_template(void)
{
	/* static: the source machine stays alive (and reachable) for the run */
	static uint8_t img[16 * FZ_G];
	static struct kvm_host h;
	static struct kvm_realm r;
	static struct kvm_vcpu v[2];
	static struct km_src s;
	static struct rmm *src;

	src = machine(SRC_DRAM);

	for (int i = 0; i < 32; i++) {
		T.kf[i] = (uint8_t)(0x11 * i);
		T.kb[i] = (uint8_t)(0x5a ^ i);
	}
	for (size_t i = 0; i < sizeof(img); i++)
		img[i] = (uint8_t)(i / 13);
	memset(img + 2 * FZ_G, 0, FZ_G);
	kh_init(&h, src, FZ_DRAM, SRC_DRAM);
	h.quiet = 1;
	if (kh_realm_create(&h, &r, 40, RMI_HASH_SHA_256, 1) || kh_init_ripas(&h, &r, 0, 1u << 20) ||
	    kh_populate(&h, &r, 0, img, sizeof(img), 1) ||
	    kh_unmap_private(&h, &r, 5 * FZ_G, FZ_G) ||
	    kh_vcpu_create(&h, &r, &v[0], 0, 1, 0x1000) ||
	    kh_vcpu_create(&h, &r, &v[1], 1, 0, 0) || kh_activate(&h, &r))
		abort();
	if (rmm_mig_key_install(src, SESSION, RMM_MIG_FWD, T.kf) ||
	    rmm_mig_key_install(src, SESSION, RMM_MIG_BWD, T.kb) ||
	    km_src_init(&s, &h, &r, collect, NULL) ||
	    km_export_all(&s, SESSION, v, 2, 2, 0, NULL))
		abort();
	/* the source machine stays: the records are all we need from it */
	T.deep = getenv("FUZZ_DEEP") != NULL;
	T.ready = 1;
}

static void import_one(struct km_dst *d, const uint8_t *rec, size_t len, int *started,
		       struct rmm *dst)
{
	uint64_t st;
	unsigned int ms;

	if (!*started) {
		*started = km_import_start(d, d->h, 40, 3, SESSION, rec, len) == 0;
		st = d->status;
	} else {
		km_import_record(d, rec, len);
		st = d->status;
	}
	/* a refusal is one the ABI defines */
	if (st && RMI_RETURN_STATUS(st) != RMI_ERROR_MIG && RMI_RETURN_STATUS(st) != RMI_ERROR_INPUT &&
	    RMI_RETURN_STATUS(st) != RMI_ERROR_REALM && RMI_RETURN_STATUS(st) != RMI_ERROR_RTT)
		abort();
	if (RMI_RETURN_STATUS(st) == RMI_ERROR_MIG && RMI_RETURN_INDEX(st) != RMI_MIG_KEY &&
	    *started && (rmm_mig_state(dst, d->r.rd, &ms, NULL) || ms != RMM_MIG_IMPORT_FAILED))
		abort();   /* a refused record makes the realm destroy-only */
	d->status = 0;
	if (T.deep)
		check(dst, "after an import");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct kvm_host h;
	struct km_dst d;
	struct rmm_stats stt;
	struct rmm *dst;
	uint8_t buf[RMM_MIG_MAX_RECORD];
	int started = 0, faithful = 1;
	size_t i = 0;

	if (!T.ready)
		make_template();
	dst = machine(DST_DRAM);
	kh_init(&h, dst, FZ_DRAM, DST_DRAM);
	h.quiet = 1;
	memset(&d, 0, sizeof(d));
	d.h = &h;
	if (rmm_mig_key_install(dst, SESSION, RMM_MIG_FWD, T.kf) ||
	    rmm_mig_key_install(dst, SESSION, RMM_MIG_BWD, T.kb))
		abort();
	while (i < T.n) {
		uint8_t op = in.n ? fz_u8(&in) : 0;
		size_t len = T.len[i];

		faithful &= op % 8 == 0 || op % 8 == 7;
		switch (op % 8) {
		case 1:	/* change one byte */
			memcpy(buf, T.b[i], len);
			buf[(fz_u8(&in) | (size_t)fz_u8(&in) << 8) % len] ^= (uint8_t)(fz_u8(&in) | 1);
			import_one(&d, buf, len, &started, dst);
			i++;
			break;
		case 2:	/* drop */
			i++;
			break;
		case 3:	/* swap with the next */
			if (i + 1 < T.n)
				import_one(&d, T.b[i + 1], T.len[i + 1], &started, dst);
			import_one(&d, T.b[i], len, &started, dst);
			i += 2;
			break;
		case 4:	/* twice */
			import_one(&d, T.b[i], len, &started, dst);
			import_one(&d, T.b[i], len, &started, dst);
			i++;
			break;
		case 5: {	/* any record again */
			size_t k = fz_u8(&in) % T.n;

			import_one(&d, T.b[k], T.len[k], &started, dst);
			i++;
			break;
		}
		case 6:	/* the destination gives up */
			if (started)
				rmm_mig_import_abort(dst, 0, d.r.rd, d.in, NULL);
			i = T.n;
			break;
		default:
			import_one(&d, T.b[i], len, &started, dst);
			i++;
			break;
		}
	}
	if (!started && faithful)
		abort();
	if (started) {
		uint64_t ret = rmm_mig_import_commit(dst, 0, d.r.rd);

		if (faithful && ret != RMI_SUCCESS) {
			fprintf(stderr, "the stream as sent did not commit: %s\n",
				rmm_last_reason(dst, 0));
			abort();   /* the stream as sent must always import */
		}
		check(dst, "after commit");
		for (unsigned int k = 0; k < d.nvcpu; k++)
			if (kh_vcpu_destroy(&h, &d.vcpus[k]))
				abort();
		if (kh_realm_destroy(&h, &d.r))
			abort();
	}
	if (d.spare && kh_undelegate_free(&h, d.spare))
		abort();
	check(dst, "after teardown");
	rmm_get_stats(dst, &stt);
	if (stt.delegated != 0) {
		fprintf(stderr, "%llu granules leaked\n", (unsigned long long)stt.delegated);
		abort();
	}
	kh_fini(&h);
	rmm_destroy(dst);
	return 0;
}
