/* The attestation guest's host side (attest_guest.h). */
#include <stdio.h>
#include <string.h>

#include <rmm/rsi.h>
#include <rmm/vcpu_a64.h>
#include "kvmhost/attest_guest.h"

#define BUF_IPA 0x20000ull     /* the guest's token buffer: RAM, mapped on demand */
#define BUF_SIZE 0x2000ull

static int err(const char *what)
{
	fprintf(stderr, "attest_guest: %s\n", what);
	return -1;
}

/* The interpreter, with a host interrupt raised once while the RMM handles
 * the first RSI_ATTESTATION_TOKEN_CONTINUE (the backend returns the SMC
 * exit, then the RMM handles the call: the interrupt arrives during it). */
struct irq_wrap {
	struct rmm *rmm;
	struct rmm_a64_ctx *a64;
	int pending;               /* 1: raise at the next CONTINUE */
};

static void wrap_run(void *ctx, struct rmm_vcpu *v, struct rmm_vcpu_exit *x)
{
	struct irq_wrap *w = ctx;

	rmm_vcpu_a64_ops()->run(w->a64, v, x);
	if (w->pending && x->kind == RMM_VCPU_EXIT_SMC &&
	    rmm_vcpu_regs(v)->x[0] == RSI_ATTESTATION_TOKEN_CONTINUE) {
		w->pending = 0;
		rmm_host_irq(w->rmm, rmm_vcpu_cpu(v));
	}
}

static void wrap_exception_taken(void *ctx, struct rmm_vcpu *v)
{
	struct irq_wrap *w = ctx;

	if (rmm_vcpu_a64_ops()->exception_taken)
		rmm_vcpu_a64_ops()->exception_taken(w->a64, v);
}

static const struct rmm_vcpu_ops wrap_ops = {
	.version = RMM_VCPU_VERSION,
	.run = wrap_run,
	.exception_taken = wrap_exception_taken,
};

int kh_attest_run(struct rmm *rmm, uint64_t base, uint64_t size, struct kh_attest *a)
{
	struct rmm_a64_ctx *a64 = rmm_a64_ctx_new(0);
	struct irq_wrap wrap;
	uint64_t shared[3], *res;
	struct kvm_host h;
	struct kvm_realm r;
	struct kvm_vcpu v;
	int rc = -1;

	if (!a64)
		return err("no memory");
	if (kh_init(&h, rmm, base, size))
		goto out_ctx;
	if (kh_realm_create(&h, &r, 40, a->hash_algo, 1) ||
	    kh_populate(&h, &r, 0, a->img, a->img_len, 1) ||
	    kh_init_ripas(&h, &r, BUF_IPA, BUF_SIZE) || kh_vcpu_create(&h, &r, &v, 0, 1, 0))
		goto out_host;
	for (int i = 0; i < 3; i++) {
		shared[i] = kh_alloc(&h);
		if (!shared[i] || kh_map_shared(&h, &r, KH_ATTEST_SHARED + 0x1000ull * (unsigned)i,
						shared[i]))
			goto out_realm;
		memset(rmm_ns_ptr(rmm, shared[i]), 0, 4096);
	}
	res = rmm_ns_ptr(rmm, shared[0]);
	memcpy(res, a->challenge, 64);
	res[8] = a->ext0;
	res[9] = a->ext3[0];
	res[10] = a->ext3[1];
	wrap.rmm = rmm;
	wrap.a64 = a64;
	wrap.pending = a->irq;
	if (kh_activate(&h, &r) || rmm_set_vcpu_backend(rmm, &wrap_ops, &wrap))
		goto out_realm;
	memset(&a->st, 0, sizeof(a->st));
	if (kh_vcpu_run(&h, &r, &v, 1, 0, NULL, &a->st, 1000) != KH_RUN_SYSTEM_OFF) {
		err("the guest did not turn the system off");
		goto out_backend;
	}
	a->ext_status[0] = res[0x80 / 8];
	a->ext_status[1] = res[0x88 / 8];
	a->init_status = res[0x90 / 8];
	a->init_size = res[0x98 / 8];
	a->last_status = res[0xa0 / 8];
	a->len = res[0xa8 / 8];
	a->calls = res[0xb0 / 8];
	a->interrupted = res[0xb8 / 8];
	a->after_status = res[0xc0 / 8];
	if (a->len > KH_ATTEST_TOKEN_MAX) {
		err("the guest reported a token longer than two pages");
		goto out_backend;
	}
	memcpy(a->token, rmm_ns_ptr(rmm, shared[1]), a->len < 4096 ? a->len : 4096);
	if (a->len > 4096)
		memcpy(a->token + 4096, rmm_ns_ptr(rmm, shared[2]), a->len - 4096);
	memcpy(a->rpv, ((struct rmi_realm_params *)rmm_ns_ptr(rmm, r.params))->rpv, 64);
	for (unsigned int i = 0; i < 5; i++)
		if (rmm_realm_measurement(rmm, r.rd, i, a->meas[i]) != RMM_OK)
			goto out_backend;
	rc = 0;
out_backend:
	rmm_set_vcpu_backend(rmm, NULL, NULL);
out_realm:
	if (kh_vcpu_destroy(&h, &v) || kh_realm_destroy(&h, &r))
		rc = -1;
out_host:
	kh_fini(&h);
out_ctx:
	rmm_a64_ctx_free(a64);
	return rc;
}

static void hex(FILE *fp, const uint8_t *b, size_t n)
{
	fputc('"', fp);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%02x", b[i]);
	fputc('"', fp);
}

int kh_attest_write(const struct kh_attest *a, const char *path)
{
	char jpath[1024];
	FILE *fp = fopen(path, "wb");

	if (!fp || fwrite(a->token, 1, a->len, fp) != a->len) {
		if (fp)
			fclose(fp);
		return err("cannot write the token");
	}
	fclose(fp);
	snprintf(jpath, sizeof(jpath), "%s.json", path);
	fp = fopen(jpath, "w");
	if (!fp)
		return err("cannot write the expected claims");
	fprintf(fp, "{\"hash_algo\": \"%s\", \"challenge\": ",
		a->hash_algo == RMI_HASH_SHA_512 ? "sha-512" : "sha-256");
	hex(fp, a->challenge, 64);
	fprintf(fp, ", \"rpv\": ");
	hex(fp, a->rpv, 64);
	fprintf(fp, ", \"rim\": ");
	hex(fp, a->meas[0], 64);
	fprintf(fp, ", \"rem\": [");
	for (int i = 1; i <= 4; i++) {
		hex(fp, a->meas[i], 64);
		fprintf(fp, i < 4 ? ", " : "]}\n");
	}
	fclose(fp);
	return 0;
}
