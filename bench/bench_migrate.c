/*
 * Live migration against its physical limit.
 *
 *  1. OpenSSL AES-256-GCM on 4 KiB blocks, one core, encrypt and decrypt:
 *     the limits of export and import.
 *  2. Export alone (records kept in host memory), then import alone from
 *     them, one stream: GB/s of page contents beside (1), and CPU seconds
 *     per GB (the VM is shared, so wall-clock figures are noisy).
 *  3. The same on two streams, two threads on two CPUs (disjoint halves).
 *  4. The pipeline: export straight into import on the same thread, one
 *     and two streams, beside the serial limit 1/(1/enc + 1/dec).
 *  5. Downtime (pause to commit) of a realm whose guest dirties pages at a
 *     fixed rate on another CPU while it is exported, and the rounds the
 *     host loop needs until at most 256 pages are dirty.
 *  6. Bytes on the wire per page beyond its 4 KiB.
 *
 * The destination delegates its granules ahead (km_import_reserve), as a
 * VMM preparing memory would; delegation (an mprotect each) is not timed.
 * In (2) and (3) the host's copy of each record into its store (a VMM's
 * send) is timed apart and left out; in (4) records go from the exporting
 * call straight into the importing one, so a stream's figure covers one
 * seal and one open per page.
 *
 * Usage: bench_migrate [realm_MiB (256)] [dirty_pages_per_ms (5)]
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include <rmm/vcpu.h>
#include "kvmhost/kvm_migrate.h"
#include "bench_util.h"

#define SESSION0 0x62656e6368ull

static uint64_t mib, rate;

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
 * Records go straight into the destination, in order, or (store != NULL)
 * into host memory, to be imported later.
 */
struct pipe {
	struct km_dst *d;
	uint64_t session;
	size_t reserve;            /* granules the destination delegates ahead */
	int started;
	unsigned long records, bytes, pages;
	double t_import;           /* wall seconds in the importing calls */
	uint8_t *store;
	size_t len, cap;
	double t_emit;             /* wall seconds storing records */
};

static int to_dst(void *ctx, unsigned int stream, const void *rec, size_t len)
{
	struct pipe *p = ctx;
	double t0 = now_s();
	int rc = 0;

	(void)stream;
	p->records++;
	p->bytes += len;
	p->pages += km_record_type(rec) == RMM_MIG_REC_PAGE;
	if (p->store) {
		if (p->len + len > p->cap)
			return -1;
		memcpy(p->store + p->len, rec, len);
		p->len += len;
		p->t_emit += now_s() - t0;
		return 0;
	}
	if (!p->started) {
		p->started = 1;
		rc = km_import_start(p->d, p->d->h, 40, 2, p->session, rec, len);
		if (!rc && p->reserve) {
			double t1 = now_s();

			rc = km_import_reserve(p->d, p->reserve);
			t0 += now_s() - t1;   /* delegation ahead is not import time */
		}
	} else {
		rc = km_import_record(p->d, rec, len);
	}
	p->t_import += now_s() - t0;
	return rc;
}

/*
 * CPU seconds per byte the host spends keeping records (a memcpy of each
 * from the hot NS output buffer into a store faulted in beforehand),
 * measured apart: a thread CPU clock read per record would cost as much as
 * the copy and land half inside the export's own time.
 */
static double store_cost(size_t bytes)
{
	static uint8_t ring[64 * RMM_MIG_PAGE_RECORD];
	uint8_t *st = malloc(bytes);
	double c0;

	if (!st)
		return 0;
	memset(st, 0, bytes);
	memset(ring, 0x33, sizeof(ring));
	c0 = cpu_s();
	for (size_t off = 0; off + RMM_MIG_PAGE_RECORD <= bytes; off += RMM_MIG_PAGE_RECORD)
		memcpy(st + off, ring + off % sizeof(ring), RMM_MIG_PAGE_RECORD);
	c0 = cpu_s() - c0;
	free(st);
	return c0 / (double)bytes;
}

struct world {
	struct rmm *src, *dst;
	struct kvm_host hs, hd;
	struct kvm_realm r;
	struct kvm_vcpu v;
};

static int build(struct world *w, uint64_t bytes, uint64_t session)
{
	uint8_t *img = malloc(bytes), kf[32], kb[32];

	w->src = machine(2 * bytes + (64ull << 20));
	w->dst = machine(2 * bytes + (64ull << 20));
	if (!img || !w->src || !w->dst)
		return -1;
	for (uint64_t i = 0; i < bytes / 8; i++)
		((uint64_t *)img)[i] = i * 0x9e3779b97f4a7c15ull + 1;
	kh_init(&w->hs, w->src, 0x80000000ull, 2 * bytes + (64ull << 20));
	kh_init(&w->hd, w->dst, 0x80000000ull, 2 * bytes + (64ull << 20));
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

struct side {
	struct km_src s;
	struct km_dst d;
	struct kvm_host h, hd;
	struct pipe p;
	uint64_t *ipas;
	size_t n, from;            /* pages; where this stream's page records start in store */
	double t, c;               /* wall and CPU seconds of the timed phase */
	int rc;
};

static void *export_side(void *arg)
{
	struct side *sd = arg;
	double t0 = now_s(), c0 = cpu_s();

	sd->rc = km_export_pages(&sd->s, sd->h.cpu, sd->ipas, sd->n);
	sd->t = now_s() - t0;
	sd->c = cpu_s() - c0;
	return NULL;
}

static void *import_side(void *arg)
{
	struct side *sd = arg;
	double t0 = now_s(), c0 = cpu_s();
	size_t off = sd->from;

	sd->rc = 0;
	while (off < sd->p.len && !sd->rc) {
		size_t n = km_record_len(sd->p.store + off, sd->p.len - off);

		sd->rc = n ? km_import_record(sd->p.d, sd->p.store + off, n) : -1;
		off += n;
	}
	sd->t = now_s() - t0;
	sd->c = cpu_s() - c0;
	return NULL;
}

static void run_sides(struct side *sd, unsigned int streams, void *(*fn)(void *), double *wall)
{
	pthread_t t[2];
	double t0 = now_s();

	for (unsigned int s = 0; s < streams; s++)
		pthread_create(&t[s], NULL, fn, &sd[s]);
	for (unsigned int s = 0; s < streams; s++)
		pthread_join(t[s], NULL);
	*wall = now_s() - t0;
}

/* The second stream's importer: its own host pages and CPU, the same realm. */
static int dst2(struct side *sd, const struct km_dst *d, const struct world *w, uint64_t pool,
		size_t reserve)
{
	sd->d = *d;
	kh_init(&sd->hd, w->dst, w->hd.end, pool);
	sd->hd.cpu = 1;
	sd->d.h = &sd->hd;
	sd->d.in = kh_alloc(&sd->hd);
	kh_alloc(&sd->hd);
	kh_alloc(&sd->hd);
	sd->d.grans = kh_alloc(&sd->hd);
	sd->d.spare = 0;
	sd->d.pool = NULL;
	sd->d.npool = 0;
	return km_import_reserve(&sd->d, reserve);
}

static double cold_enc, cold_dec;

static void line(const char *what, double bytes, double wall, double cpu, double limit,
		 const char *limit_what, double cold)
{
	printf("%-44s %6.2f GB/s  %5.3f CPU s/GB  (%.2f x %s %.2f GB/s per CPU s", what,
	       bytes / wall / 1e9, cpu / bytes * 1e9, bytes / cpu / 1e9 / limit, limit_what, limit);
	if (cold > 0)
		printf("; %.2f x it on cold memory", bytes / cpu / 1e9 / cold);
	printf(")\n");
}

/*
 * stored: export every page into host memory (timed), then import them
 * (timed); else export straight into import. Both then finish the session
 * (epoch, pause, REC, end, commit), which checks every record arrived.
 */
static int throughput(unsigned int streams, int stored, double enc, double dec)
{
	struct world w;
	struct side sd[2];
	struct km_dst d;
	uint64_t bytes = mib << 20, n = bytes / 4096, session = SESSION0 + streams + 2 * stored;
	uint64_t pool1 = bytes / 2 + (16ull << 20), ipa = 0, cnt;
	uint64_t *ipas = malloc(n * sizeof(*ipas));
	double t_exp = 0, t_imp = 0, c_exp = 0, c_imp = 0, w_exp, w_imp = 0;
	size_t per = (streams > 1 ? n / 2 : n) + 64;
	char what[96];

	memset(&w, 0, sizeof(w));
	memset(sd, 0, sizeof(sd));
	memset(&d, 0, sizeof(d));
	if (!ipas || build(&w, bytes, session))
		return -1;
	d.h = &w.hd;
	/* the destination imports on the same CPUs; its pool is split too */
	w.hs.end -= pool1;
	w.hd.end -= pool1;
	for (unsigned int s = 0; s < streams; s++) {
		sd[s].h = w.hs;
		if (s)
			kh_init(&sd[s].h, w.src, w.hs.end, pool1);
		sd[s].h.cpu = s;
		sd[s].p.d = s ? &sd[s].d : &d;
		sd[s].p.session = session;
		sd[s].p.reserve = s ? 0 : per;
		sd[s].p.started = s ? 1 : 0;
		if (stored) {
			sd[s].p.cap = per * RMM_MIG_PAGE_RECORD + (1u << 20);
			sd[s].p.store = malloc(sd[s].p.cap);
			if (!sd[s].p.store)
				return -1;
			/* touch it: the host's page faults are not the RMM's */
			memset(sd[s].p.store, 0, sd[s].p.cap);
		}
		if (km_src_init(&sd[s].s, s ? &sd[s].h : &w.hs, &w.r, to_dst, &sd[s].p))
			return -1;
	}
	if (km_export_start(&sd[0].s, session) || km_export_layout(&sd[0].s))
		return -1;
	sd[0].from = sd[0].p.len;
	if (streams > 1 && !stored && dst2(&sd[1], &d, &w, pool1, n / 2 + 64))
		return -1;
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
	run_sides(sd, streams, export_side, &w_exp);
	for (unsigned int s = 0; s < streams; s++) {
		if (sd[s].rc)
			return -1;
		t_exp = sd[s].t - sd[s].p.t_emit - sd[s].p.t_import > t_exp ?
				sd[s].t - sd[s].p.t_emit - sd[s].p.t_import : t_exp;
		/* the pipeline's CPU time is the thread's, both sides together */
		c_exp += sd[s].c - (stored ? (double)sd[s].p.len * store_cost(sd[s].p.len) : 0);
		t_imp = sd[s].p.t_import > t_imp ? sd[s].p.t_import : t_imp;
	}
	if (stored) {
		/* start and layout records first, untimed; then the pages */
		uint8_t *st = sd[0].p.store;
		size_t len = sd[0].p.len, off = 0;

		sd[0].p.store = NULL;
		while (off < sd[0].from) {
			size_t l = km_record_len(st + off, sd[0].from - off);

			if (!l || to_dst(&sd[0].p, 0, st + off, l))
				return -1;
			off += l;
		}
		sd[0].p.store = st;
		sd[0].p.len = len;
		if (streams > 1 && dst2(&sd[1], &d, &w, pool1, n / 2 + 64))
			return -1;
		run_sides(sd, streams, import_side, &w_imp);
		t_imp = c_imp = 0;
		for (unsigned int s = 0; s < streams; s++) {
			if (sd[s].rc)
				return -1;
			t_imp = sd[s].t > t_imp ? sd[s].t : t_imp;
			c_imp += sd[s].c;
			free(sd[s].p.store);
			sd[s].p.store = NULL;
		}
	}
	if (km_export_epoch(&sd[0].s) || km_export_pause(&sd[0].s) ||
	    km_export_recs(&sd[0].s, &w.v, 1) || km_export_round(&sd[0].s, 0, NULL) ||
	    km_export_end(&sd[0].s) || km_import_commit(&d))
		return -1;
	if (stored) {
		snprintf(what, sizeof(what), "%u stream%s: export %llu MiB", streams,
			 streams > 1 ? "s" : "", (unsigned long long)mib);
		line(what, (double)bytes, t_exp, c_exp, enc, "encrypt", cold_enc);
		snprintf(what, sizeof(what), "%u stream%s: import %llu MiB", streams,
			 streams > 1 ? "s" : "", (unsigned long long)mib);
		line(what, (double)bytes, t_imp, c_imp, dec, "decrypt", cold_dec);
	} else {
		double serial = 1.0 / (1.0 / enc + 1.0 / dec);

		snprintf(what, sizeof(what), "%u stream%s: export+import pipeline", streams,
			 streams > 1 ? "s" : "");
		line(what, (double)bytes, w_exp, c_exp, serial, "enc+dec",
		     1.0 / (1.0 / cold_enc + 1.0 / cold_dec));
	}
	if (streams == 1 && stored)
		printf("%-44s %7.1f B   (DATA page record %u B; %lu records for %lu pages)\n",
		       "wire bytes per page beyond its 4 KiB",
		       (double)sd[0].p.bytes / (double)sd[0].p.pages - 4096.0, RMM_MIG_PAGE_RECORD,
		       sd[0].p.records, sd[0].p.pages);
	free(ipas);
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
	printf("%-44s %6.2f GB/s\n", "  OpenSSL AES-256-GCM encrypt", enc);
	printf("%-44s %6.2f GB/s\n", "  OpenSSL AES-256-GCM decrypt", dec);
	printf("%-44s %6.2f GB/s\n", "  serial encrypt then decrypt",
	       1.0 / (1.0 / enc + 1.0 / dec));
	cold_enc = aes_gcm_mem(mib << 20, 1);
	cold_dec = aes_gcm_mem(mib << 20, 0);
	printf("%-44s %6.2f GB/s\n", "  encrypt reading pages from cold memory", cold_enc);
	printf("%-44s %6.2f GB/s\n", "  decrypt writing pages into cold memory", cold_dec);
	if (throughput(1, 1, enc, dec) || throughput(2, 1, enc, dec) ||
	    throughput(1, 0, enc, dec) || throughput(2, 0, enc, dec) || downtime()) {
		fprintf(stderr, "bench_migrate: failed\n");
		return 1;
	}
	return 0;
}
