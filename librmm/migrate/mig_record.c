/*
 * The record layer (docs/migration.md section 2): the 64-byte header, its
 * checks, and AES-256-GCM with the header as additional data. GCM comes
 * from libcrypto, as the measurements' SHA does; no OS call.
 */
#include <string.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "migrate/mig.h"
#include "granule/granule.h"

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> 8 * i); }
static void put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> 8 * i); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t get64(const uint8_t *p) { return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32; }

void mig_hdr_pack(const struct mig_hdr *h, uint8_t out[RMM_MIG_HDR_SIZE])
{
	memset(out, 0, RMM_MIG_HDR_SIZE);
	put32(out + 0, RMM_MIG_MAGIC);
	put16(out + 4, RMM_MIG_VERSION);
	out[6] = h->type;
	out[7] = h->dir;
	put64(out + 8, h->session);
	put16(out + 16, h->stream);
	put32(out + 20, h->epoch);
	put64(out + 24, h->seq);
	put64(out + 32, h->nonce);
	put32(out + 40, h->body_len);
	memcpy(out + 48, h->binding, 16);
}

size_t mig_body_len_ok(unsigned int type, uint32_t len)
{
	switch (type) {
	case RMM_MIG_REC_IMMUTABLE:
		return len == 256;
	case RMM_MIG_REC_PAGE:
		return len == 16 || len == 16 + 4096;
	case RMM_MIG_REC_LAYOUT:
		return len >= 8 + 16 && len <= 8 + 16 * RMM_MIG_LAYOUT_MAX && (len - 8) % 16 == 0;
	case RMM_MIG_REC_EPOCH:
		return len == 8 + 8 * RMM_MIG_STREAMS;
	case RMM_MIG_REC_REC:
		return len == 8 + mig_rec_state_size();
	case RMM_MIG_REC_END:
		return len == 400;
	case RMM_MIG_REC_ABORT:
		return len == 24;
	default:
		return 0;
	}
}

unsigned int mig_hdr_unpack(const uint8_t in[RMM_MIG_HDR_SIZE], struct mig_hdr *h)
{
	h->type = in[6];
	h->dir = in[7];
	h->session = get64(in + 8);
	h->stream = get16(in + 16);
	h->epoch = get32(in + 20);
	h->seq = get64(in + 24);
	h->nonce = get64(in + 32);
	h->body_len = get32(in + 40);
	memcpy(h->binding, in + 48, 16);
	if (get32(in) != RMM_MIG_MAGIC || get16(in + 4) != RMM_MIG_VERSION ||
	    get16(in + 18) != 0 || get32(in + 44) != 0 || !mig_body_len_ok(h->type, h->body_len))
		return RMI_MIG_FORMAT;
	if (h->stream >= RMM_MIG_STREAMS)
		return RMI_MIG_STREAM;
	return 0;
}

static void iv_of(const struct mig_hdr *h, uint8_t iv[12])
{
	put64(iv, h->nonce);
	put16(iv + 8, h->stream);
	iv[10] = h->dir;
	iv[11] = 0;
}

/* The CPU's context holding 'key' for this direction of use. */
static EVP_CIPHER_CTX *ctx_for(struct rmm *rmm, unsigned int cpu, const uint8_t key[32],
			       uint64_t kid, int enc)
{
	struct mig_cpu *pc = mig_cpu_of(rmm, cpu);

	if (!pc->ctx) {
		pc->ctx = EVP_CIPHER_CTX_new();
		if (!pc->ctx)
			rmm_panic(rmm, "migration: no memory for a cipher context");
		pc->kid = 0;
	}
	if (pc->kid != kid || pc->enc != enc) {
		if (EVP_CipherInit_ex(pc->ctx, EVP_aes_256_gcm(), NULL, key, NULL, enc) != 1)
			rmm_panic(rmm, "migration: AES-256-GCM key setup failed");
		pc->kid = kid;
		pc->enc = enc;
	}
	return pc->ctx;
}

void mig_seal2(struct rmm *rmm, unsigned int cpu, const uint8_t key[32], uint64_t kid,
	       struct mig_hdr *h, const void *head, uint32_t head_len, const void *tail,
	       uint8_t *rec)
{
	EVP_CIPHER_CTX *ctx = ctx_for(rmm, cpu, key, kid, 1);
	uint8_t *ct = rec + RMM_MIG_HDR_SIZE, iv[12];
	int l;

	h->nonce = mig_nonce_next(rmm, cpu);
	mig_hdr_pack(h, rec);
	iv_of(h, iv);
	mig_audit_use(rmm, key, iv);
	if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, 1) != 1 ||
	    EVP_EncryptUpdate(ctx, NULL, &l, rec, RMM_MIG_HDR_SIZE) != 1 ||
	    EVP_EncryptUpdate(ctx, ct, &l, head, (int)head_len) != 1 ||
	    (h->body_len > head_len &&
	     EVP_EncryptUpdate(ctx, ct + head_len, &l, tail, (int)(h->body_len - head_len)) != 1) ||
	    EVP_EncryptFinal_ex(ctx, ct + h->body_len, &l) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, RMM_MIG_TAG_SIZE, ct + h->body_len) != 1)
		rmm_panic(rmm, "migration: AES-256-GCM encryption failed");
}

/* Record bytes into NS memory, a granule at a time (each locked while
 * UNDELEGATED); 'enc' bytes through the cipher, the others as they are. */
struct ns_out {
	struct rmm *rmm;
	EVP_CIPHER_CTX *ctx;
	uint64_t pa;              /* next NS byte */
	struct granule *g;        /* locked granule of pa, or NULL */
	uint8_t *p;               /* its pointer at pa */
	struct granule *const *held;  /* granules the caller holds (not NS) */
	unsigned int nheld;
	int failed;
};

/* One of the caller's own granules named as NS memory: it is not NS (it is
 * locked as an RTT or DATA granule), and locking it would wait forever. */
static bool held_by_caller(const struct ns_out *o)
{
	struct granule *g = granule_find(o->rmm, o->pa & ~GRANULE_MASK);

	for (unsigned int i = 0; i < o->nheld; i++)
		if (g && g == o->held[i])
			return true;
	return false;
}

static void ns_put(struct ns_out *o, const uint8_t *src, size_t n, int enc)
{
	int l;

	while (n) {
		size_t room = GRANULE_SIZE - (o->pa & GRANULE_MASK), k = n < room ? n : room;

		if (!o->g && !o->failed) {
			o->p = held_by_caller(o) ? NULL : ns_map_lock(o->rmm, o->pa, &o->g);
			o->failed = !o->p;
		}
		if (o->failed) {
			/* the record is lost; the cipher still runs so that its
			 * context is in a defined state (the next seal resets it) */
			return;
		}
		if (!enc) {
			ns_snapshot(o->p, src, k);
		} else {
			/* GCM hashes the ciphertext it wrote, reading it back:
			 * written straight into NS memory, the host could change
			 * it between the write and the hash and get its change
			 * authenticated. So the cipher writes RMM memory, and
			 * only finished ciphertext is copied out. */
			uint8_t bounce[1024];

			if (k > sizeof(bounce))
				k = sizeof(bounce);
			if (EVP_EncryptUpdate(o->ctx, bounce, &l, src, (int)k) != 1 || l != (int)k)
				rmm_panic(o->rmm, "migration: AES-256-GCM encryption failed");
			ns_snapshot(o->p, bounce, k);
		}
		o->pa += k;
		o->p += k;
		src += k;
		n -= k;
		if (!(o->pa & GRANULE_MASK)) {
			granule_unlock(o->g);
			o->g = NULL;
		}
	}
}

int mig_seal_ns(struct rmm *rmm, unsigned int cpu, const uint8_t key[32], uint64_t kid,
		struct mig_hdr *h, const void *head, uint32_t head_len, const void *tail,
		uint64_t pa, struct granule *const *held, unsigned int nheld)
{
	struct ns_out o = { .rmm = rmm, .ctx = ctx_for(rmm, cpu, key, kid, 1), .pa = pa,
			    .held = held, .nheld = nheld };
	uint8_t hdr[RMM_MIG_HDR_SIZE], iv[12], tag[RMM_MIG_TAG_SIZE];
	int l;

	h->nonce = mig_nonce_next(rmm, cpu);
	mig_hdr_pack(h, hdr);
	iv_of(h, iv);
	mig_audit_use(rmm, key, iv);
	if (EVP_CipherInit_ex(o.ctx, NULL, NULL, NULL, iv, 1) != 1 ||
	    EVP_EncryptUpdate(o.ctx, NULL, &l, hdr, RMM_MIG_HDR_SIZE) != 1)
		rmm_panic(rmm, "migration: AES-256-GCM encryption failed");
	ns_put(&o, hdr, sizeof(hdr), 0);
	ns_put(&o, head, head_len, 1);
	if (h->body_len > head_len)
		ns_put(&o, tail, h->body_len - head_len, 1);
	if (o.failed)
		return -1;
	if (EVP_EncryptFinal_ex(o.ctx, tag, &l) != 1 ||
	    EVP_CIPHER_CTX_ctrl(o.ctx, EVP_CTRL_GCM_GET_TAG, RMM_MIG_TAG_SIZE, tag) != 1)
		rmm_panic(rmm, "migration: AES-256-GCM encryption failed");
	ns_put(&o, tag, sizeof(tag), 0);
	if (o.g)
		granule_unlock(o.g);
	return o.failed ? -1 : 0;
}

void mig_seal(struct rmm *rmm, unsigned int cpu, const uint8_t key[32], uint64_t kid,
	      struct mig_hdr *h, const void *body, uint8_t *rec)
{
	mig_seal2(rmm, cpu, key, kid, h, body, h->body_len, NULL, rec);
}

int mig_open(struct rmm *rmm, unsigned int cpu, const uint8_t key[32], uint64_t kid,
	     const uint8_t *rec, const struct mig_hdr *h, void *body)
{
	EVP_CIPHER_CTX *ctx = ctx_for(rmm, cpu, key, kid, 0);
	uint8_t iv[12], tag[RMM_MIG_TAG_SIZE];
	int l;

	iv_of(h, iv);
	memcpy(tag, rec + RMM_MIG_HDR_SIZE + h->body_len, sizeof(tag));
	if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, 0) != 1 ||
	    EVP_DecryptUpdate(ctx, NULL, &l, rec, RMM_MIG_HDR_SIZE) != 1 ||
	    EVP_DecryptUpdate(ctx, body, &l, rec + RMM_MIG_HDR_SIZE, (int)h->body_len) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, RMM_MIG_TAG_SIZE, tag) != 1)
		return -1;
	return EVP_DecryptFinal_ex(ctx, (uint8_t *)body + h->body_len, &l) == 1 ? 0 : -1;
}

void mig_open_begin(struct rmm *rmm, unsigned int cpu, const uint8_t key[32], uint64_t kid,
		    const uint8_t *rec, const struct mig_hdr *h, void *head, uint32_t head_len)
{
	EVP_CIPHER_CTX *ctx = ctx_for(rmm, cpu, key, kid, 0);
	uint8_t iv[12];
	int l;

	iv_of(h, iv);
	if (EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, 0) != 1 ||
	    EVP_DecryptUpdate(ctx, NULL, &l, rec, RMM_MIG_HDR_SIZE) != 1 ||
	    EVP_DecryptUpdate(ctx, head, &l, rec + RMM_MIG_HDR_SIZE, (int)head_len) != 1)
		rmm_panic(rmm, "migration: AES-256-GCM decryption failed");
}

int mig_open_finish(struct rmm *rmm, unsigned int cpu, const uint8_t *rec,
		    const struct mig_hdr *h, uint32_t head_len, void *tail)
{
	EVP_CIPHER_CTX *ctx = mig_cpu_of(rmm, cpu)->ctx;
	uint8_t tag[RMM_MIG_TAG_SIZE];
	int l;

	memcpy(tag, rec + RMM_MIG_HDR_SIZE + h->body_len, sizeof(tag));
	if (EVP_DecryptUpdate(ctx, tail, &l, rec + RMM_MIG_HDR_SIZE + head_len,
			      (int)(h->body_len - head_len)) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, RMM_MIG_TAG_SIZE, tag) != 1)
		return -1;
	return EVP_DecryptFinal_ex(ctx, (uint8_t *)tail + (h->body_len - head_len), &l) == 1 ? 0 : -1;
}

void mig_binding(uint64_t session, const uint8_t immut[256], uint8_t out[16])
{
	uint8_t buf[8 + 256], d[32];

	put64(buf, session);
	memcpy(buf + 8, immut, 256);
	SHA256(buf, sizeof(buf), d);
	memcpy(out, d, 16);
}
