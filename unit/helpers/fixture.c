#include <stdlib.h>

#include "fixture.h"

int fx_setup_size(void **state, uint64_t dram_size, unsigned int flags)
{
	struct rmm_config cfg;
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	rmm_config_init(&cfg);
	cfg.dram_size = dram_size;
	cfg.flags = flags;
	if (rmm_create(&cfg, &f->rmm) != RMM_OK) {
		free(f);
		return -1;
	}
	f->next_rmm = FX_DRAM_BASE;
	f->next_ns = FX_DRAM_BASE + dram_size - GRAN;
	f->ns_limit = FX_DRAM_BASE + dram_size / 2;
	*state = f;
	return 0;
}

int fx_setup(void **state)
{
	return fx_setup_size(state, FX_DRAM_SIZE, 0);
}

int fx_teardown(void **state)
{
	struct fx *f = *state;

	rmm_destroy(f->rmm);
	free(f);
	return 0;
}

uint64_t fx_ns_page(struct fx *f)
{
	uint64_t pa = f->next_ns;

	assert_true(pa >= f->ns_limit);
	f->next_ns -= GRAN;
	memset(rmm_ns_ptr(f->rmm, pa), 0, GRAN);
	return pa;
}

uint64_t fx_page(struct fx *f)
{
	uint64_t pa = f->next_rmm;

	assert_true(pa < f->ns_limit);
	f->next_rmm += GRAN;
	return pa;
}

uint64_t fx_delegated(struct fx *f)
{
	uint64_t pa = fx_page(f);

	assert_rmi(rmm_rmi_granule_delegate(f->rmm, 0, pa), RMI_SUCCESS, 0);
	return pa;
}

static void start_level(unsigned int w, int *sl, unsigned int *num)
{
	unsigned int bits;

	*sl = 4 - (int)((w - 8) / 9);
	bits = (unsigned int)(4 - *sl) * 9 + 12;
	*num = bits >= w ? 1 : 1u << (w - bits);
}

uint64_t fx_params(struct fx *f, unsigned int w, uint8_t hash_algo, uint16_t vmid)
{
	uint64_t pa = fx_ns_page(f);
	struct rmi_realm_params *p = rmm_ns_ptr(f->rmm, pa);
	unsigned int num;
	int sl;

	start_level(w, &sl, &num);
	p->s2sz = (uint8_t)w;
	p->num_bps = 1;
	p->num_wps = 1;
	p->hash_algo = hash_algo;
	p->vmid = vmid;
	p->rtt_level_start = sl;
	p->rtt_num_start = num;
	for (int i = 0; i < 64; i++)
		p->rpv[i] = (uint8_t)i;
	return pa;
}

void fx_realm_create(struct fx *f, struct fx_realm *r, unsigned int w, uint16_t vmid)
{
	uint64_t pp = fx_params(f, w, RMI_HASH_SHA_256, vmid);
	struct rmi_realm_params *p = rmm_ns_ptr(f->rmm, pp);
	unsigned int i;

	memset(r, 0, sizeof(*r));
	r->rd = fx_delegated(f);
	/* starting RTTs aligned to their count */
	while (f->next_rmm % (p->rtt_num_start * GRAN))
		f->next_rmm += GRAN;
	r->rtt_base = f->next_rmm;
	for (i = 0; i < p->rtt_num_start; i++)
		fx_delegated(f);
	p->rtt_base = r->rtt_base;
	r->num_start = p->rtt_num_start;
	r->sl = (int)p->rtt_level_start;
	r->ipa_width = w;
	r->hash_algo = p->hash_algo;
	r->vmid = vmid;
	assert_rmi(rmm_rmi_realm_create(f->rmm, 0, r->rd, pp), RMI_SUCCESS, 0);
}

void fx_rtt_create_to(struct fx *f, const struct fx_realm *r, uint64_t ipa, int level)
{
	for (int l = r->sl + 1; l <= level; l++) {
		uint64_t sz = 1ull << (12 + 9 * (3 - (l - 1)));
		uint64_t rtt = fx_delegated(f);
		uint64_t ret = rmm_rmi_rtt_create(f->rmm, 0, r->rd, rtt, ipa & ~(sz - 1), l);

		if (ret == RMI_RETURN(RMI_ERROR_RTT, l - 1)) {
			/* already there: give the page back */
			assert_rmi(rmm_rmi_granule_undelegate(f->rmm, 0, rtt), RMI_SUCCESS, 0);
			continue;
		}
		assert_rmi(ret, RMI_SUCCESS, 0);
	}
}

static uint64_t lsize(int level)
{
	return 1ull << (12 + 9 * (3 - level));
}

/* Destroy every RTT at 'level' in [start, end), descending into live ones
 * first (the shape of KVM's realm_tear_down_rtt_level). */
static void destroy_rtts(struct fx *f, const struct fx_realm *r, int level, uint64_t start,
			 uint64_t end)
{
	uint64_t sz = lsize(level - 1), ipa = start;

	while (ipa < end) {
		uint64_t rtt, top = 0, next, ret;

		ret = rmm_rmi_rtt_destroy(f->rmm, 0, r->rd, ipa, level, &rtt, &top);
		if (ret == RMI_RETURN(RMI_ERROR_RTT, level)) {
			assert_true(level < 3);  /* level-3 RTTs are empty once data is gone */
			destroy_rtts(f, r, level + 1, ipa, ipa + sz);
			continue;
		}
		if (ret == RMI_SUCCESS)
			assert_rmi(rmm_rmi_granule_undelegate(f->rmm, 0, rtt), RMI_SUCCESS, 0);
		else
			assert_int_equal(RMI_RETURN_STATUS(ret), RMI_ERROR_RTT);
		next = ipa + sz;
		if (top > next)
			next = (top + sz - 1) & ~(sz - 1);
		ipa = next;
	}
}

static void destroy_data(struct fx *f, const struct fx_realm *r, uint64_t base, uint64_t end)
{
	uint64_t ipa = base;

	while (ipa < end) {
		uint64_t data, top = 0, ret = rmm_rmi_data_destroy(f->rmm, 0, r->rd, ipa, &data, &top);

		if (ret == RMI_SUCCESS)
			assert_rmi(rmm_rmi_granule_undelegate(f->rmm, 0, data), RMI_SUCCESS, 0);
		else
			assert_int_equal(RMI_RETURN_STATUS(ret), RMI_ERROR_RTT);
		ipa = top > ipa ? top : ipa + GRAN;
	}
}

void fx_realm_teardown(struct fx *f, const struct fx_realm *r)
{
	destroy_data(f, r, 0, 1ull << (r->ipa_width - 1));
	if (r->sl < 3)
		destroy_rtts(f, r, r->sl + 1, 0, 1ull << r->ipa_width);
	assert_rmi(rmm_rmi_realm_destroy(f->rmm, 0, r->rd), RMI_SUCCESS, 0);
	assert_rmi(rmm_rmi_granule_undelegate(f->rmm, 0, r->rd), RMI_SUCCESS, 0);
	for (unsigned int i = 0; i < r->num_start; i++)
		assert_rmi(rmm_rmi_granule_undelegate(f->rmm, 0, r->rtt_base + i * GRAN),
			   RMI_SUCCESS, 0);
}

void fx_invariants(struct fx *f)
{
	char why[512];
	int rc = rmm_check_invariants(f->rmm, why, sizeof(why));

	if (rc != RMM_OK)
		print_error("invariant broken: %s\n", why);
	assert_int_equal(rc, RMM_OK);
}

static void census(struct fx *f, uint8_t *st, size_t n)
{
	for (size_t i = 0; i < n; i++)
		st[i] = (uint8_t)rmm_granule_state(f->rmm, FX_DRAM_BASE + i * GRAN);
}

void fx_run_rows(struct fx *f, const struct rmi_row *rows, size_t n)
{
	size_t ng = FX_DRAM_SIZE / GRAN;
	uint8_t *before = malloc(ng), *after = malloc(ng);

	assert_non_null(before);
	assert_non_null(after);
	census(f, before, ng);
	for (size_t i = 0; i < n; i++) {
		const struct rmi_row *r = &rows[i];
		uint64_t x[18] = { 0 };

		memcpy(x, r->x, sizeof(r->x));
		rmm_smc(f->rmm, 0, x);
		if (x[0] != RMI_RETURN(r->st, r->idx) ||
		    (r->cond && !strstr(rmm_last_reason(f->rmm, 0), r->cond)))
			print_error("row '%s': got 0x%llx, want (%u,%u) %s; reason: %s\n", r->name,
				    (unsigned long long)x[0], r->st, r->idx, r->cond ? r->cond : "",
				    rmm_last_reason(f->rmm, 0));
		assert_int_equal(x[0], RMI_RETURN(r->st, r->idx));
		if (r->cond)
			assert_non_null(strstr(rmm_last_reason(f->rmm, 0), r->cond));
		census(f, after, ng);
		if (memcmp(before, after, ng) != 0)
			print_error("row '%s' changed granule states\n", r->name);
		assert_memory_equal(before, after, ng);
	}
	free(before);
	free(after);
	fx_invariants(f);
}

void fx_world(struct fx *f, struct world *w)
{
	uint64_t top, desc;

	memset(w, 0, sizeof(*w));
	fx_realm_create(f, &w->r, 40, 1);
	w->U = 1ull << 39;
	w->l2 = fx_delegated(f);
	assert_rmi(rmm_rmi_rtt_create(f->rmm, 0, w->r.rd, w->l2, 0, 2), RMI_SUCCESS, 0);
	w->l3 = fx_delegated(f);
	assert_rmi(rmm_rmi_rtt_create(f->rmm, 0, w->r.rd, w->l3, 0, 3), RMI_SUCCESS, 0);
	w->l2_1g = fx_delegated(f);
	assert_rmi(rmm_rmi_rtt_create(f->rmm, 0, w->r.rd, w->l2_1g, 1ull << 30, 2), RMI_SUCCESS, 0);
	w->src = fx_ns_page(f);
	memset(rmm_ns_ptr(f->rmm, w->src), 0x42, GRAN);
	w->data = fx_delegated(f);
	assert_rmi(rmm_rmi_data_create(f->rmm, 0, w->r.rd, w->data, 0x1000, w->src, 1),
		   RMI_SUCCESS, 0);
	assert_rmi(rmm_rmi_rtt_init_ripas(f->rmm, 0, w->r.rd, 0x2000, 0x3000, &top), RMI_SUCCESS, 0);
	assert_int_equal(top, 0x3000);
	w->l2_ns = fx_delegated(f);
	assert_rmi(rmm_rmi_rtt_create(f->rmm, 0, w->r.rd, w->l2_ns, w->U, 2), RMI_SUCCESS, 0);
	w->l3_ns = fx_delegated(f);
	assert_rmi(rmm_rmi_rtt_create(f->rmm, 0, w->r.rd, w->l3_ns, w->U, 3), RMI_SUCCESS, 0);
	w->ns_mapped = fx_ns_page(f);
	desc = w->ns_mapped | (5ull << 2) | (3ull << 6);
	assert_rmi(rmm_rmi_rtt_map_unprotected(f->rmm, 0, w->r.rd, w->U + 0x1000, 3, desc),
		   RMI_SUCCESS, 0);

	fx_realm_create(f, &w->act, 40, 2);
	fx_rtt_create_to(f, &w->act, 0, 3);
	assert_rmi(rmm_rmi_realm_activate(f->rmm, 0, w->act.rd), RMI_SUCCESS, 0);

	w->deleg = fx_delegated(f);
	w->undeleg = fx_page(f);
	fx_invariants(f);
}

uint64_t fx_rec_params(struct fx *f, unsigned int idx, bool runnable, uint64_t pc,
		       struct fx_rec *out)
{
	uint64_t pp = fx_ns_page(f);
	struct rmi_rec_params *p = rmm_ns_ptr(f->rmm, pp);

	memset(out, 0, sizeof(*out));
	p->flags = runnable ? RMI_REC_FLAG_RUNNABLE : 0;
	p->mpidr = rmi_rec_mpidr(idx);
	p->pc = pc;
	for (int i = 0; i < 8; i++)
		p->gprs[i] = 0x100 + (uint64_t)i;
	p->num_aux = 16;
	for (int i = 0; i < 16; i++)
		p->aux[i] = out->aux[i] = fx_delegated(f);
	out->rec = fx_delegated(f);
	out->params = pp;
	out->run = fx_ns_page(f);
	return pp;
}

void fx_rec_create(struct fx *f, const struct fx_realm *r, unsigned int idx, bool runnable,
		   uint64_t pc, struct fx_rec *out)
{
	uint64_t pp = fx_rec_params(f, idx, runnable, pc, out);

	assert_rmi(rmm_rmi_rec_create(f->rmm, 0, r->rd, out->rec, pp), RMI_SUCCESS, 0);
}

struct rmi_rec_run *fx_run(struct fx *f, const struct fx_rec *c)
{
	return rmm_ns_ptr(f->rmm, c->run);
}

uint64_t fx_enter(struct fx *f, unsigned int cpu, const struct fx_rec *c, uint64_t flags)
{
	fx_run(f, c)->enter.flags = flags;
	return rmm_rmi_rec_enter(f->rmm, cpu, c->rec, c->run);
}

void fx_run_world(struct fx *f, struct run_world *w)
{
	uint64_t top;

	memset(w, 0, sizeof(*w));
	fx_realm_create(f, &w->r, 40, 1);
	w->U = 1ull << 39;
	fx_rtt_create_to(f, &w->r, 0, 3);
	w->data0 = fx_delegated(f);
	assert_rmi(rmm_rmi_data_create(f->rmm, 0, w->r.rd, w->data0, 0x10000, fx_ns_page(f), 0),
		   RMI_SUCCESS, 0);
	assert_rmi(rmm_rmi_data_create(f->rmm, 0, w->r.rd, fx_delegated(f), 0x11000, fx_ns_page(f), 0),
		   RMI_SUCCESS, 0);
	assert_rmi(rmm_rmi_rtt_init_ripas(f->rmm, 0, w->r.rd, 0x20000, 0x30000, &top), RMI_SUCCESS, 0);
	fx_rtt_create_to(f, &w->r, w->U, 3);
	w->ns_page = fx_ns_page(f);
	assert_rmi(rmm_rmi_rtt_map_unprotected(f->rmm, 0, w->r.rd, w->U + 0x2000, 3,
					       w->ns_page | (3ull << 6)), RMI_SUCCESS, 0);
	fx_rec_create(f, &w->r, 0, true, 0, &w->rec[0]);
	fx_rec_create(f, &w->r, 1, false, 0, &w->rec[1]);
	fx_rec_create(f, &w->r, 2, false, 0, &w->rec[2]);
	assert_rmi(rmm_rmi_realm_activate(f->rmm, 0, w->r.rd), RMI_SUCCESS, 0);
	w->sctx = rmm_script_ctx_new(0);
	assert_non_null(w->sctx);
	rmm_set_vcpu_backend(f->rmm, rmm_vcpu_script_ops(), w->sctx);
	fx_invariants(f);
}

void fx_run_world_free(struct fx *f, struct run_world *w)
{
	rmm_set_vcpu_backend(f->rmm, NULL, NULL);
	rmm_script_ctx_free(w->sctx);
}

void fx_script(struct run_world *w, const struct fx_rec *c, struct rmm_script *s,
	       const struct rmm_script_step *steps, size_t n, struct rmm_script_result *res)
{
	s->steps = steps;
	s->n = n;
	s->res = res;
	assert_int_equal(rmm_script_attach(w->sctx, c->rec, s), RMM_OK);
}

void fx_assert_exit(const struct rmi_rec_exit *got, const struct rmi_rec_exit *want)
{
	const uint8_t *g = (const uint8_t *)got, *e = (const uint8_t *)want;

	for (size_t i = 0; i < sizeof(*got); i += 8) {
		uint64_t a, b;

		memcpy(&a, g + i, 8);
		memcpy(&b, e + i, 8);
		if (a != b)
			print_error("exit +0x%zx: got 0x%llx, want 0x%llx\n", i, (unsigned long long)a,
				    (unsigned long long)b);
	}
	assert_memory_equal(got, want, sizeof(*got));
}

size_t fx_load(const char *dir, const char *name, uint8_t *buf, size_t max)
{
	char path[512];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	n = fread(buf, 1, max, fp);
	fclose(fp);
	return n;
}

const struct rmi_rec_exit *fx_enter_until(struct fx *f, unsigned int cpu, uint64_t rec,
					  uint64_t run, uint64_t flags)
{
	struct rmi_rec_run *rr = rmm_ns_ptr(f->rmm, run);

	for (unsigned int i = 0; i < 100; i++) {
		memset(&rr->enter, 0, sizeof(rr->enter));
		rr->enter.flags = flags;
		assert_int_equal(rmm_rmi_rec_enter(f->rmm, cpu, rec, run), RMI_SUCCESS);
		if (rr->exit.exit_reason != RMI_EXIT_IRQ)
			break;
	}
	return &rr->exit;
}
