/*
 * Live migration against its physical limit.
 *
 *  1. OpenSSL AES-256-GCM on 4 KiB blocks, one core, encrypt and decrypt:
 *     in cache (the same 4 KiB block over and over), and over a buffer of
 *     the realm's size read (encrypt) or written (decrypt) page by page
 *     once: the limits of export and import with the pages in cache and
 *     with the pages in memory (cold: not in any cache).
 *  2. Export alone into host memory, then import alone from it, one
 *     stream, of a realm whose pages are in memory, not cache: the source's
 *     were written by DATA_CREATE when the realm was built, the destination
 *     delegated (and so wiped) its granules ahead, as a VMM preparing
 *     memory would; both touched, no page faults. Timed: the export and
 *     import calls (a thread CPU clock read per call of 64 pages); the
 *     host's copies between its NS rings of 64 records and its store (the
 *     network) are not the RMM's.
 *  3. The same on two streams, two threads pinned to two CPUs (disjoint
 *     halves of the pages): CPU seconds per GB of each thread beside one
 *     stream's, and how much of its wall time each thread ran (the machine
 *     is shared: wall-clock scaling is only meaningful when both ran ~1.00).
 *  4. The pipeline: export, copy to the destination's ring, import, batch
 *     by batch on the same thread (all timed), one and two streams, beside
 *     the serial limit 1/(1/enc + 1/dec).
 *  5. A hot working set: 128 pages sent again every round as newer
 *     versions, all in cache: against the in-cache limits.
 *  6. Downtime (pause to commit) of a realm whose guest dirties pages at a
 *     fixed rate on another CPU while it is exported, and the rounds the
 *     host loop needs until at most 256 pages are dirty.
 *  7. Bytes on the wire per page beyond its 4 KiB.
 *
 * Usage: bench_migrate [realm_MiB (256)] [dirty_pages_per_ms (5)]
 * Profiling: see perf_mark.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include <rmm/vcpu.h>
#include "kvmhost/kvm_migrate.h"
#include "bench_util.h"

#define SESSION0 0x62656e6368ull

static uint64_t mib, rate;
static double clock_cost;   /* CPU seconds a thread CPU clock read adds to an interval */

/* A thread CPU clock read is a system call: what it adds to each timed
 * interval (one read's cost) is measured and taken off. */
static double clock_read_cost(void)
{
	double t0 = cpu_s(), t = t0;

	for (int i = 0; i < 20000; i++)
		t = cpu_s();
	return (t - t0) / 20000;
}

/*
 * Profiling aid: with BENCH_PERF_CTL naming perf's control FIFO (perf record
 * --control fifo:CTL,ACK -D -1) and BENCH_PERF_PHASE one of export1,
 * import1, export2, import2, pipe1, pipe2, hot1, perf samples only that
 * phase.
 */
static void perf_mark(const char *phase, unsigned int streams, int on)
{
	const char *ctl = getenv("BENCH_PERF_CTL"), *want = getenv("BENCH_PERF_PHASE");
	char name[16];
	FILE *f;

	snprintf(name, sizeof(name), "%s%u", phase, streams);
	if (!ctl || !want || strcmp(want, name) || !(f = fopen(ctl, "w")))
		return;
	fputs(on ? "enable\n" : "disable\n", f);
	fclose(f);
}

static struct rmm *machine(uint64_t dram)
{
	struct rmm_config cfg;
	struct rmm *r;

	rmm_config_init(&cfg);
	cfg.dram_size = dram;
	return rmm_create(&cfg, &r) == RMM_OK ? r : NULL;
}

/* One core's AES-256-GCM on 4 KiB with a 64-byte AAD, as records use it. */
static double aes_gcm_4k(unsigned long n, int enc)
{
	static uint8_t in[4096], out[4096 + 16], ct[4096];
	uint8_t key[32] = { 1 }, iv[12] = { 0 }, tag[16];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	double t0;
	int l, bad = 0;

	memset(in, 0x5a, sizeof(in));
	EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv, 1);
	EVP_EncryptUpdate(c, NULL, &l, in, 64);
	EVP_EncryptUpdate(c, ct, &l, in, 4096);
	EVP_EncryptFinal_ex(c, out, &l);
	EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag);
	EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, NULL, enc);
	t0 = cpu_s();
	for (unsigned long i = 0; i < n; i++) {
		if (enc) {
			memcpy(iv, &i, sizeof(i));
			EVP_CipherInit_ex(c, NULL, NULL, NULL, iv, 1);
			EVP_EncryptUpdate(c, NULL, &l, in, 64);
			EVP_EncryptUpdate(c, out, &l, in, 4096);
			EVP_EncryptFinal_ex(c, out + 4096, &l);
			EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag);
		} else {
			/* the one valid record, opened and checked each time */
			EVP_CipherInit_ex(c, NULL, NULL, NULL, iv, 0);
			EVP_DecryptUpdate(c, NULL, &l, in, 64);
			EVP_DecryptUpdate(c, out, &l, ct, 4096);
			EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag);
			bad |= EVP_DecryptFinal_ex(c, out + 4096, &l) != 1;
		}
	}
	t0 = cpu_s() - t0;
	EVP_CIPHER_CTX_free(c);
	if (bad)
		fprintf(stderr, "bench_migrate: AES-GCM decrypt limit: tag mismatch\n");
	return (double)n * 4096 / t0 / 1e9;
}

/*
 * The same cipher work with the memory traffic a migration cannot avoid:
 * encrypt reads each 4 KiB page from a buffer of 'bytes' (far larger than
 * the caches, faulted in first), decrypt writes each page into one. The
 * ciphertext side stays in cache, as the RMM's record buffer does.
 */
static double aes_gcm_mem(uint64_t bytes, int enc)
{
	uint8_t *mem = malloc(bytes), key[32] = { 1 }, iv[12] = { 0 }, tag[16];
	static uint8_t ct[4096 + 64];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	double t0;
	int l, bad = 0;

	if (!mem || !c)
		return 0;
	memset(mem, 0x5a, bytes);
	EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv, 1);
	EVP_EncryptUpdate(c, NULL, &l, ct, 64);
	EVP_EncryptUpdate(c, ct, &l, mem, 4096);
	EVP_EncryptFinal_ex(c, ct + 4096, &l);
	EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag);
	EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, NULL, enc);
	t0 = cpu_s();
	for (uint64_t off = 0; off < bytes; off += 4096) {
		if (enc) {
			memcpy(iv, &off, sizeof(off));
			EVP_CipherInit_ex(c, NULL, NULL, NULL, iv, 1);
			EVP_EncryptUpdate(c, NULL, &l, ct + 4096, 64);
			EVP_EncryptUpdate(c, ct, &l, mem + off, 4096);
			EVP_EncryptFinal_ex(c, ct + 4096, &l);
			EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag);
		} else {
			memset(iv, 0, 8);
			EVP_CipherInit_ex(c, NULL, NULL, NULL, iv, 0);
			EVP_DecryptUpdate(c, NULL, &l, ct + 4096, 64);
			EVP_DecryptUpdate(c, mem + off, &l, ct, 4096);
			EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag);
			bad |= EVP_DecryptFinal_ex(c, ct + 4096, &l) != 1;
		}
	}
	t0 = cpu_s() - t0;
	EVP_CIPHER_CTX_free(c);
	free(mem);
	(void)bad;   /* the AAD differs from the sealing one: the tag check fails, its cost is paid */
	return (double)bytes / t0 / 1e9;
}

/*
 * Control records (start, layout, epoch, REC, end) and, in the downtime
 * run, every record: straight into the destination, in order.
 */
struct pipe {
	struct km_dst *d;
	uint64_t session;
	size_t reserve;            /* granules the destination delegates ahead */
	int started;
};

static int to_dst(void *ctx, unsigned int stream, const void *rec, size_t len)
{
	struct pipe *p = ctx;
	int rc;

	(void)stream;
	if (p->started)
		return km_import_record(p->d, rec, len);
	p->started = 1;
	rc = km_import_start(p->d, p->d->h, 40, 2, p->session, rec, len);
	return rc || !p->reserve ? rc : km_import_reserve(p->d, p->reserve);
}

struct world {
	struct rmm *src, *dst;
	struct kvm_host hs, hd;
	struct kvm_realm r;
	struct kvm_vcpu v;
};

/* Each machine: the realm (or its copy), RTTs, and per stream a host pool
 * holding its record buffer (a VMM's send or receive buffer). */
static uint64_t dram_of(uint64_t bytes)
{
	return 2 * bytes + (256ull << 20);
}

static int build(struct world *w, uint64_t bytes, uint64_t session)
{
	uint8_t *img = malloc(bytes), kf[32], kb[32];

	w->src = machine(dram_of(bytes));
	w->dst = machine(dram_of(bytes));
	if (!img || !w->src || !w->dst)
		return -1;
	for (uint64_t i = 0; i < bytes / 8; i++)
		((uint64_t *)img)[i] = i * 0x9e3779b97f4a7c15ull + 1;
	kh_init(&w->hs, w->src, 0x80000000ull, dram_of(bytes));
	kh_init(&w->hd, w->dst, 0x80000000ull, dram_of(bytes));
	if (kh_realm_create(&w->hs, &w->r, 40, RMI_HASH_SHA_256, 1) ||
	    kh_populate(&w->hs, &w->r, 0, img, bytes, 0) ||
	    kh_vcpu_create(&w->hs, &w->r, &w->v, 0, 1, 0) || kh_activate(&w->hs, &w->r))
		return -1;
	free(img);
	memset(kf, 7, 32);
	memset(kb, 9, 32);
	kf[0] = kb[0] = (uint8_t)session;
	return rmm_mig_key_install(w->src, session, RMM_MIG_FWD, kf) ||
	       rmm_mig_key_install(w->src, session, RMM_MIG_BWD, kb) ||
	       rmm_mig_key_install(w->dst, session, RMM_MIG_FWD, kf) ||
	       rmm_mig_key_install(w->dst, session, RMM_MIG_BWD, kb);
}

static void unbuild(struct world *w)
{
	kh_fini(&w->hs);
	kh_fini(&w->hd);
	rmm_destroy(w->src);
	rmm_destroy(w->dst);
}

/* ---- 2, 3, 4: throughput ---- */

/*
 * One stream: its CPU (the stream's index), its host pools on both
 * machines, its pages, and its NS rings of 64 records: 'out' on the source
 * (EXPORT_PAGES writes there), 'in' on the destination (IMPORT reads
 * there). Between the phases the records wait in 'store', host memory (the
 * network). Timed: the export and import calls only (one thread CPU clock
 * read per call of 64 pages); the host's copies between rings and store
 * are not the RMM's.
 */
struct side {
	struct kvm_host hs, hd;
	struct km_src s;
	struct km_dst d;
	const uint64_t *ipas;
	size_t n;
	uint64_t out, in;          /* NS rings */
	uint8_t *store;
	size_t len, cap;           /* bytes of records in store */
	struct world *w;
	double t, c;               /* wall and CPU seconds in the timed calls */
	double t_all;              /* wall seconds of the whole phase */
	int rc;
};

/* A run of contiguous host pages, touched (the host's own page faults are
 * not the RMM's). */
static uint64_t host_run(struct kvm_host *h, uint64_t bytes)
{
	uint64_t pa = h->next, n = (bytes + 4095) & ~4095ull;

	if (h->next + n > h->end)
		return 0;
	h->next += n;
	memset(rmm_ns_ptr(h->rmm, pa), 0xa5, n);
	return pa;
}

static void pin(unsigned int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	(void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *export_side(void *arg)
{
	struct side *sd = arg;
	const uint8_t *o = rmm_ns_ptr(sd->w->src, sd->out);
	double t0 = now_s(), t1, c1;

	pin(sd->hs.cpu);
	sd->rc = 0;
	for (size_t k = 0; k < sd->n && !sd->rc; k += RMM_MIG_BATCH_MAX) {
		size_t cnt = sd->n - k < RMM_MIG_BATCH_MAX ? sd->n - k : RMM_MIG_BATCH_MAX;
		uint64_t len;

		t1 = now_s();
		c1 = cpu_s();
		sd->rc = km_export_pages_at(&sd->s, sd->hs.cpu, sd->ipas + k, cnt, sd->out, &len);
		sd->c += cpu_s() - c1 - clock_cost;
		sd->t += now_s() - t1;
		if (sd->rc || sd->len + len > sd->cap)
			sd->rc = -1;
		else
			memcpy(sd->store + sd->len, o, len);
		sd->len += len;
	}
	sd->t_all = now_s() - t0;
	return NULL;
}

static void *import_side(void *arg)
{
	struct side *sd = arg;
	uint8_t *i = rmm_ns_ptr(sd->w->dst, sd->in);
	double t0 = now_s(), t1, c1;
	size_t off = 0;

	pin(sd->hd.cpu);
	sd->rc = 0;
	while (off < sd->len && !sd->rc) {
		size_t len = 0, k = 0, n;

		/* receive up to 64 records into the ring */
		while (k < RMM_MIG_BATCH_MAX && (n = km_record_len(sd->store + off + len,
								   sd->len - off - len)) != 0) {
			len += n;
			k++;
		}
		if (!len) {
			sd->rc = -1;
			break;
		}
		memcpy(i, sd->store + off, len);
		off += len;
		t1 = now_s();
		c1 = cpu_s();
		sd->rc = km_import_batch(&sd->d, sd->in, len);
		sd->c += cpu_s() - c1 - clock_cost;
		sd->t += now_s() - t1;
	}
	sd->t_all = now_s() - t0;
	return NULL;
}

/* Export a batch, copy its records to the destination's ring (the
 * transport), import them; all timed, the copy included. */
static void *pipeline_side(void *arg)
{
	struct side *sd = arg;
	const uint8_t *o = rmm_ns_ptr(sd->w->src, sd->out);
	uint8_t *i = rmm_ns_ptr(sd->w->dst, sd->in);
	double t0, c0;

	pin(sd->hs.cpu);
	t0 = now_s();
	c0 = cpu_s();
	sd->rc = 0;
	for (size_t k = 0; k < sd->n && !sd->rc; k += RMM_MIG_BATCH_MAX) {
		size_t cnt = sd->n - k < RMM_MIG_BATCH_MAX ? sd->n - k : RMM_MIG_BATCH_MAX;
		uint64_t len;

		sd->rc = km_export_pages_at(&sd->s, sd->hs.cpu, sd->ipas + k, cnt, sd->out, &len);
		if (!sd->rc) {
			memcpy(i, o, len);
			sd->rc = km_import_batch(&sd->d, sd->in, len);
		}
	}
	sd->t = sd->t_all = now_s() - t0;
	sd->c = cpu_s() - c0;
	return NULL;
}

static double run_sides(struct side *sd, unsigned int streams, void *(*fn)(void *))
{
	pthread_t t[2];
	double t0 = now_s();

	for (unsigned int s = 0; s < streams; s++)
		pthread_create(&t[s], NULL, fn, &sd[s]);
	for (unsigned int s = 0; s < streams; s++)
		pthread_join(t[s], NULL);
	return now_s() - t0;
}

static double cold_enc, cold_dec;
static double wall1[3];   /* one stream's wall GB/s: export, import, pipeline */

/*
 * A figure: GB/s of page contents by the wall clock over the whole phase
 * (the host's copies included), CPU seconds per GB in the timed calls
 * (every stream's together) and GB per CPU second against the limit; with
 * two streams also each thread's CPU s/GB and share of the wall clock it
 * ran (1.00: never descheduled), and the speedup over one stream.
 */
static void line(const char *what, unsigned int streams, const struct side *sd, double bytes,
		 double wall, double limit, const char *limit_what, double cold, int which)
{
	double cpu = 0;

	for (unsigned int s = 0; s < streams; s++)
		cpu += sd[s].c;
	printf("%-36s %5.2f GB/s %6.3f CPU s/GB  %.2f x %s %.2f GB/s", what, bytes / wall / 1e9,
	       cpu / bytes * 1e9, bytes / cpu / 1e9 / limit, limit_what, limit);
	if (cold > 0)
		printf(" (%.2f x cold %.2f)", bytes / cpu / 1e9 / cold, cold);
	printf("\n");
	if (streams == 1) {
		wall1[which] = bytes / wall / 1e9;
		return;
	}
	printf("%-36s", "");
	for (unsigned int s = 0; s < streams; s++)
		printf(" thread %u: %.3f CPU s/GB, ran %.2f;", s,
		       sd[s].c / ((double)sd[s].n * 4096) * 1e9, sd[s].t > 0 ? sd[s].c / sd[s].t : 0);
	if (wall1[which] > 0)
		printf(" wall %.2f x one stream", bytes / wall / 1e9 / wall1[which]);
	printf("\n");
}

/*
 * pipeline == 0: export every page into the source's NS buffers (timed),
 * copy them to the destination's (untimed: the network), import them
 * (timed). pipeline == 1: export, copy and import batch by batch on the
 * same thread (timed together). Both then finish the session (epoch,
 * pause, REC, end, commit), which checks that every record arrived.
 */
static int throughput(unsigned int streams, int pipeline, double enc, double dec)
{
	struct world w;
	struct side sd[2];
	struct pipe p;
	uint64_t bytes = mib << 20, n = bytes / 4096, session = SESSION0 + streams + 2 * pipeline;
	uint64_t ipa = 0, cnt, *ipas = malloc((n + 512) * sizeof(*ipas)), part;
	size_t per = (streams > 1 ? n / 2 : n) + 64, cap = per * RMM_MIG_PAGE_RECORD + (1u << 20);
	double wall;
	char what[96];

	memset(&w, 0, sizeof(w));
	memset(sd, 0, sizeof(sd));
	if (!ipas || build(&w, bytes, session))
		return -1;
	/* each stream's pools: the top of each machine's DRAM, split */
	part = (per * 4096 + (64ull << 20)) & ~4095ull;
	for (unsigned int s = 0; s < streams; s++) {
		uint64_t top = w.hs.end - (uint64_t)(streams - s) * part;

		kh_init(&sd[s].hs, w.src, top, part);
		kh_init(&sd[s].hd, w.dst, top, part);
		sd[s].hs.cpu = sd[s].hd.cpu = s;
		sd[s].w = &w;
		sd[s].out = host_run(&sd[s].hs, RMM_MIG_BATCH_MAX * RMM_MIG_PAGE_RECORD);
		sd[s].in = host_run(&sd[s].hd, RMM_MIG_BATCH_MAX * RMM_MIG_PAGE_RECORD);
		sd[s].cap = pipeline ? 0 : cap;
		sd[s].store = pipeline ? NULL : malloc(cap);
		if (!sd[s].out || !sd[s].in || (!pipeline && !sd[s].store))
			return -1;
		if (sd[s].store)
			memset(sd[s].store, 0xa5, cap);
	}
	w.hs.end -= streams * part;
	w.hd.end -= streams * part;
	memset(&p, 0, sizeof(p));
	p.d = &sd[0].d;
	p.session = session;
	for (unsigned int s = 0; s < streams; s++)
		if (km_src_init(&sd[s].s, s ? &sd[s].hs : &w.hs, &w.r, to_dst, &p))
			return -1;
	sd[0].d.h = &sd[0].hd;
	if (km_export_start(&sd[0].s, session) || km_export_layout(&sd[0].s))
		return -1;
	/* the second stream's importer: its own host, CPU and granules, the same realm */
	if (streams > 1) {
		sd[1].d = sd[0].d;
		sd[1].d.h = &sd[1].hd;
		sd[1].d.in = kh_alloc(&sd[1].hd);
		sd[1].d.grans = kh_alloc(&sd[1].hd);
		sd[1].d.spare = 0;
		sd[1].d.pool = NULL;
		sd[1].d.npool = 0;
	}
	while (ipa < (1ull << 39)) {
		if (rmm_mig_export_dirty(w.src, 0, w.r.rd, ipa, sd[0].s.list, &cnt, &ipa, NULL))
			return -1;
		rmm_host_read(w.src, sd[0].s.list, ipas + sd[0].n, cnt * 8);
		sd[0].n += cnt;
	}
	sd[0].ipas = ipas;
	if (streams > 1) {
		/* the second half of the pages on the second stream */
		sd[1].n = sd[0].n / 2;
		sd[0].n -= sd[1].n;
		sd[1].ipas = ipas + sd[0].n;
	}
	/* the destination delegates its granules ahead, as a VMM preparing memory */
	for (unsigned int s = 0; s < streams; s++)
		if (km_import_reserve(&sd[s].d, sd[s].n + 64))
			return -1;
	if (pipeline) {
		perf_mark("pipe", streams, 1);
		wall = run_sides(sd, streams, pipeline_side);
		perf_mark("pipe", streams, 0);
		for (unsigned int s = 0; s < streams; s++)
			if (sd[s].rc)
				return -1;
		snprintf(what, sizeof(what), "%u stream%s: export+copy+import", streams,
			 streams > 1 ? "s" : "");
		line(what, streams, sd, (double)bytes, wall, 1.0 / (1.0 / enc + 1.0 / dec), "enc+dec",
		     1.0 / (1.0 / cold_enc + 1.0 / cold_dec), 2);
	} else {
		perf_mark("export", streams, 1);
		wall = run_sides(sd, streams, export_side);
		perf_mark("export", streams, 0);
		for (unsigned int s = 0; s < streams; s++)
			if (sd[s].rc)
				return -1;
		snprintf(what, sizeof(what), "%u stream%s: export %llu MiB", streams,
			 streams > 1 ? "s" : "", (unsigned long long)mib);
		line(what, streams, sd, (double)bytes, wall, enc, "encrypt", cold_enc, 0);
		if (streams == 1)
			printf("%-38s %6.1f B   (DATA page record %u B; %lu records for %llu pages)\n",
			       "  wire bytes per page beyond 4 KiB",
			       (double)sd[0].len / (double)sd[0].n - 4096.0, RMM_MIG_PAGE_RECORD,
			       sd[0].s.records, (unsigned long long)sd[0].n);
		for (unsigned int s = 0; s < streams; s++)
			sd[s].t = sd[s].c = 0;
		perf_mark("import", streams, 1);
		wall = run_sides(sd, streams, import_side);
		perf_mark("import", streams, 0);
		for (unsigned int s = 0; s < streams; s++)
			if (sd[s].rc)
				return -1;
		snprintf(what, sizeof(what), "%u stream%s: import %llu MiB", streams,
			 streams > 1 ? "s" : "", (unsigned long long)mib);
		line(what, streams, sd, (double)bytes, wall, dec, "decrypt", cold_dec, 1);
	}
	if (km_export_epoch(&sd[0].s) || km_export_pause(&sd[0].s) ||
	    km_export_recs(&sd[0].s, &w.v, 1) || km_export_round(&sd[0].s, 0, NULL) ||
	    km_export_end(&sd[0].s) || km_import_commit(&sd[0].d))
		return -1;
	free(sd[1].d.pool);
	free(sd[0].store);
	free(sd[1].store);
	free(ipas);
	kh_fini(&sd[0].hs);
	kh_fini(&sd[0].hd);
	kh_fini(&sd[1].hs);
	kh_fini(&sd[1].hd);
	unbuild(&w);
	return 0;
}

/*
 * A hot working set: the same HOT_PAGES pages are sent again every round
 * (as a guest that keeps writing them would make the host do), each time
 * as a newer version that the destination decrypts over its copy. The
 * pages (512 KiB), both rings (2 x 268 KiB) and the destination's copies
 * (512 KiB) stay in one core's caches between rounds: the memory state the
 * in-cache cipher limit assumes. No guest runs (the pages are sent whether
 * dirty or not).
 * Timed: the export and import calls, per call of 64 pages.
 */
#define HOT_PAGES 128u

static int hot(unsigned int rounds, double enc, double dec)
{
	struct world w;
	struct side sd;
	struct pipe p;
	uint64_t session = SESSION0 + 9, ipas[HOT_PAGES], ipa = 0, cnt, n = 0;
	double ce = 0, ci = 0, bytes = 0;
	const uint8_t *o;
	uint8_t *in;

	memset(&w, 0, sizeof(w));
	memset(&sd, 0, sizeof(sd));
	memset(&p, 0, sizeof(p));
	if (build(&w, HOT_PAGES * 4096ull, session))
		return -1;
	kh_init(&sd.hd, w.dst, w.hd.end - (64ull << 20), 64ull << 20);
	w.hd.end -= 64ull << 20;
	sd.w = &w;
	sd.out = host_run(&w.hs, RMM_MIG_BATCH_MAX * RMM_MIG_PAGE_RECORD);
	sd.in = host_run(&sd.hd, RMM_MIG_BATCH_MAX * RMM_MIG_PAGE_RECORD);
	p.d = &sd.d;
	p.session = session;
	sd.d.h = &sd.hd;
	if (!sd.out || !sd.in || km_src_init(&sd.s, &w.hs, &w.r, to_dst, &p) ||
	    km_export_start(&sd.s, session) || km_export_layout(&sd.s) ||
	    km_import_reserve(&sd.d, HOT_PAGES + 64))
		return -1;
	while (ipa < (1ull << 39) && n < HOT_PAGES) {
		if (rmm_mig_export_dirty(w.src, 0, w.r.rd, ipa, sd.s.list, &cnt, &ipa, NULL))
			return -1;
		rmm_host_read(w.src, sd.s.list, ipas + n, cnt * 8);
		n += cnt;
	}
	o = rmm_ns_ptr(w.src, sd.out);
	in = rmm_ns_ptr(w.dst, sd.in);
	pin(0);
	perf_mark("hot", 1, 1);
	/* round 0 (fresh pages) warms up, untimed */
	for (unsigned int r = 0; r <= rounds; r++) {
		if (r && km_export_epoch(&sd.s))
			return -1;
		for (size_t k = 0; k < n; k += RMM_MIG_BATCH_MAX) {
			size_t c = n - k < RMM_MIG_BATCH_MAX ? n - k : RMM_MIG_BATCH_MAX;
			uint64_t len;
			double c0 = cpu_s(), c1;

			if (km_export_pages_at(&sd.s, 0, ipas + k, c, sd.out, &len))
				return -1;
			c1 = cpu_s();
			memcpy(in, o, len);
			c0 = c1 - c0;
			c1 = cpu_s();
			if (km_import_batch(&sd.d, sd.in, len))
				return -1;
			if (r) {
				ce += c0 - clock_cost;
				ci += cpu_s() - c1 - clock_cost;
				bytes += (double)c * 4096;
			}
		}
	}
	perf_mark("hot", 1, 0);
	if (km_export_pause(&sd.s) || km_export_recs(&sd.s, &w.v, 1) ||
	    km_export_round(&sd.s, 0, NULL) || km_export_end(&sd.s) || km_import_commit(&sd.d))
		return -1;
	printf("hot set of %u pages sent %u times (pages, rings and copies in cache):\n",
	       HOT_PAGES, rounds);
	printf("%-36s %12.3f CPU s/GB  %.2f x encrypt %.2f GB/s\n", "  export (newer versions)",
	       ce / bytes * 1e9, bytes / ce / 1e9 / enc, enc);
	printf("%-36s %12.3f CPU s/GB  %.2f x decrypt %.2f GB/s\n", "  import (over the old copy)",
	       ci / bytes * 1e9, bytes / ci / 1e9 / dec, dec);
	kh_fini(&sd.hd);
	unbuild(&w);
	return 0;
}

/* ---- 5: downtime with a dirtying guest ---- */

struct dirtier {
	_Atomic int stop;
	uint64_t pages, rate;   /* pages per ms */
	double t0;
	_Atomic uint64_t writes;
};

static void dirty_run(void *ctx, struct rmm_vcpu *v, struct rmm_vcpu_exit *x)
{
	struct dirtier *d = ctx;
	struct rmm_vcpu_regs *r = rmm_vcpu_regs(v);
	/* write as many pages as the rate allows by now, then exit (an IRQ) */
	uint64_t due = (uint64_t)((now_s() - d->t0) * 1e3 * (double)d->rate);

	while (atomic_load(&d->writes) < due) {
		uint64_t n = ++r->x[9], ipa = (n * 2654435761u % d->pages) * 4096;

		if (rmm_vcpu_access(v, ipa, &n, 8, RMM_ACCESS_WRITE, 0, x) != RMM_OK)
			return;
		atomic_fetch_add(&d->writes, 1);
	}
	x->kind = RMM_VCPU_EXIT_IRQ;
}

static const struct rmm_vcpu_ops dirty_ops = { .version = RMM_VCPU_VERSION, .run = dirty_run };

static void *run_rec(void *arg)
{
	struct world *w = arg;

	while (rmm_rmi_rec_enter(w->src, 1, w->v.rec, w->v.run) == RMI_SUCCESS)
		;
	return NULL;
}

static int downtime(void)
{
	struct world w;
	struct km_dst d;
	struct pipe p = { .d = &d, .session = SESSION0 + 7, .reserve = (mib << 20) / 4096 + 64 };
	struct km_src s;
	struct dirtier dt;
	uint64_t bytes = mib << 20, session = SESSION0 + 7;
	unsigned int rounds = 0;
	unsigned long sent;
	double t_pause, t_commit, t_live;
	pthread_t t;

	memset(&w, 0, sizeof(w));
	memset(&d, 0, sizeof(d));
	memset(&dt, 0, sizeof(dt));
	if (build(&w, bytes, session))
		return -1;
	d.h = &w.hd;
	dt.pages = bytes / 4096;
	dt.rate = rate;
	dt.t0 = now_s();
	rmm_set_vcpu_backend(w.src, &dirty_ops, &dt);
	pthread_create(&t, NULL, run_rec, &w);
	t_live = now_s();
	if (km_src_init(&s, &w.hs, &w.r, to_dst, &p) || km_export_start(&s, session) ||
	    km_export_layout(&s))
		return -1;
	do {
		if (km_export_round(&s, 0, &sent) || km_export_epoch(&s))
			return -1;
		rounds++;
	} while (rounds < 30 && km_dirty(&s) > 256);
	t_pause = now_s();
	if (km_export_pause(&s))
		return -1;
	pthread_join(t, NULL);
	if (km_export_recs(&s, &w.v, 1) || km_export_round(&s, 0, &sent) || km_export_end(&s) ||
	    km_import_commit(&d))
		return -1;
	t_commit = now_s();
	printf("%-44s %7.2f ms  (%u rounds to <= 256 dirty pages, %lu pages in the last pass;\n"
	       "%-44s            live phase %.0f ms, guest wrote %llu pages at %llu pages/ms; QEMU's "
	       "default limit 300 ms)\n",
	       "downtime (pause to commit)", (t_commit - t_pause) * 1e3, rounds, sent, "",
	       (t_pause - t_live) * 1e3, (unsigned long long)atomic_load(&dt.writes),
	       (unsigned long long)rate);
	rmm_set_vcpu_backend(w.src, NULL, NULL);
	unbuild(&w);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long blocks;
	double enc, dec;

	mib = argc > 1 ? strtoull(argv[1], NULL, 0) : 256;
	rate = argc > 2 ? strtoull(argv[2], NULL, 0) : 5;
	blocks = mib * 256 > 20000 ? mib * 256 : 20000;
	enc = aes_gcm_4k(blocks, 1);
	dec = aes_gcm_4k(blocks, 0);
	printf("the limits (one core, 4 KiB blocks, 64-byte AAD, per CPU second):\n");
	printf("%-44s %6.2f GB/s\n", "  AES-256-GCM encrypt, in cache", enc);
	printf("%-44s %6.2f GB/s\n", "  AES-256-GCM decrypt, in cache", dec);
	printf("%-44s %6.2f GB/s\n", "  serial encrypt then decrypt, in cache",
	       1.0 / (1.0 / enc + 1.0 / dec));
	clock_cost = clock_read_cost();
	cold_enc = aes_gcm_mem(mib << 20, 1);
	cold_dec = aes_gcm_mem(mib << 20, 0);
	printf("%-44s %6.2f GB/s\n", "  encrypt, reading realm-sized memory (cold)", cold_enc);
	printf("%-44s %6.2f GB/s\n", "  decrypt, writing realm-sized memory (cold)", cold_dec);
	printf("%llu MiB realm: its pages and the destination's granules in memory, not cache "
	       "(touched, no page faults); per CPU second of the RMM calls (a thread CPU clock "
	       "read, %.2f us, taken off each call's time):\n",
	       (unsigned long long)mib, clock_cost * 1e6);
	if (throughput(1, 0, enc, dec) || throughput(2, 0, enc, dec) ||
	    throughput(1, 1, enc, dec) || throughput(2, 1, enc, dec) ||
	    hot(mib > 8 ? 25600 / HOT_PAGES : 4, enc, dec) || downtime()) {
		fprintf(stderr, "bench_migrate: failed\n");
		return 1;
	}
	return 0;
}
