/*
 * The scripted vCPU backend (see include/rmm/vcpu_script.h). The REC's pc is
 * 4 x the index of the current step; a step completes when pc moves past it
 * (the backend itself, the RMM advancing after an SMC, or an exception).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <rmm/vcpu_script.h>

#define SCRIPT_MAX_RECS 1024

struct script_slot {
	uint64_t rec;
	struct rmm_script *s;
	size_t cur;           /* step in progress */
	int started;
	uint64_t spin_left;   /* SPIN steps still to use */
};

struct rmm_script_ctx {
	unsigned int budget;
	size_t n;
	struct script_slot slots[SCRIPT_MAX_RECS];
};

struct rmm_script_ctx *rmm_script_ctx_new(unsigned int budget)
{
	struct rmm_script_ctx *c = calloc(1, sizeof(*c));

	if (c)
		c->budget = budget ? budget : 64;
	return c;
}

void rmm_script_ctx_free(struct rmm_script_ctx *ctx)
{
	free(ctx);
}

int rmm_script_attach(struct rmm_script_ctx *ctx, uint64_t rec_pa, struct rmm_script *s)
{
	struct script_slot *slot = NULL;

	for (size_t i = 0; i < ctx->n; i++)
		if (ctx->slots[i].rec == rec_pa)
			slot = &ctx->slots[i];
	if (!slot) {
		if (ctx->n == SCRIPT_MAX_RECS)
			return RMM_ENOMEM;
		slot = &ctx->slots[ctx->n++];
	}
	memset(slot, 0, sizeof(*slot));
	slot->rec = rec_pa;
	slot->s = s;
	if (s->res)
		memset(s->res, 0, s->n * sizeof(*s->res));
	return RMM_OK;
}

static struct script_slot *find(struct rmm_script_ctx *ctx, uint64_t rec)
{
	for (size_t i = 0; i < ctx->n; i++)
		if (ctx->slots[i].rec == rec)
			return &ctx->slots[i];
	return NULL;
}

static void finish(struct script_slot *slot, const struct rmm_vcpu_regs *r)
{
	const struct rmm_script_step *st = &slot->s->steps[slot->cur];
	struct rmm_script_result *res = slot->s->res ? &slot->s->res[slot->cur] : NULL;

	slot->started = 0;
	if (!res)
		return;
	res->done = 1;
	memcpy(res->x, r->x, sizeof(res->x));
	if ((st->op == RMM_STEP_READ || st->op == RMM_STEP_MRS) && st->rt < 31)
		res->x[0] = r->x[st->rt];
}

static uint64_t *sysreg_field(struct rmm_vcpu_regs *r, uint64_t enc)
{
	switch (enc) {
	case RMM_SYSREG_VBAR_EL1: return &r->vbar_el1;
	case RMM_SYSREG_CNTV_CTL: return &r->cntv_ctl;
	case RMM_SYSREG_CNTV_CVAL: return &r->cntv_cval;
	case RMM_SYSREG_CNTP_CTL: return &r->cntp_ctl;
	case RMM_SYSREG_CNTP_CVAL: return &r->cntp_cval;
	case RMM_SYSREG_TPIDR_EL1: return &r->tpidr_el1;
	default: return NULL;
	}
}

static uint64_t load(const uint8_t *p, unsigned int size, int sign)
{
	uint64_t v = 0;

	memcpy(&v, p, size);
	if (sign && size < 8 && (v >> (8 * size - 1)))
		v |= ~0ull << (8 * size);
	return v;
}

static unsigned int log2_size(unsigned int size)
{
	return size == 8 ? 3 : size == 4 ? 2 : size == 2 ? 1 : 0;
}

static void script_run(void *vctx, struct rmm_vcpu *v, struct rmm_vcpu_exit *x)
{
	struct rmm_script_ctx *ctx = vctx;
	struct script_slot *slot = find(ctx, rmm_vcpu_rec(v));
	struct rmm_vcpu_regs *r = rmm_vcpu_regs(v);
	unsigned int left = ctx->budget;

	memset(x, 0, sizeof(*x));
	x->kind = RMM_VCPU_EXIT_IRQ;
	if (!slot)
		return;
	for (;;) {
		size_t idx = r->pc / 4;
		const struct rmm_script_step *st;
		unsigned int size, rt;
		uint64_t val = 0;
		int first;

		if (slot->started && (idx != slot->cur || r->pc % 4))
			finish(slot, r);
		if (r->pc % 4 || idx >= slot->s->n || slot->s->steps[idx].op == RMM_STEP_END ||
		    left-- == 0)
			return;  /* IRQ: program over, off the script, or budget used */
		st = &slot->s->steps[idx];
		first = !slot->started || slot->cur != idx;
		slot->cur = idx;
		slot->started = 1;
		size = st->size == 1 || st->size == 2 || st->size == 4 ? st->size : 8;
		rt = st->rt > 31 ? 31 : st->rt;

		switch (st->op) {
		case RMM_STEP_READ:
		case RMM_STEP_WRITE: {
			bool wr = st->op == RMM_STEP_WRITE;

			if (wr && first && rt < 31)
				r->x[rt] = st->value;
			val = wr && rt < 31 ? r->x[rt] : 0;
			if (rmm_vcpu_access(v, st->addr, &val, size, wr ? RMM_ACCESS_WRITE : RMM_ACCESS_READ,
					    0, x) != RMM_OK) {
				x->esr &= ~RMM_ESR_IL;
				x->esr |= RMM_ISS_ISV | ((uint64_t)log2_size(size) << RMM_ISS_SAS_SHIFT) |
					  ((uint64_t)rt << RMM_ISS_SRT_SHIFT);
				if (size == 8 || (!wr && st->sign))
					x->esr |= RMM_ISS_SF;
				if (!wr && st->sign)
					x->esr |= RMM_ISS_SSE;
				x->far = st->addr;
				return;
			}
			if (!wr && rt < 31)
				r->x[rt] = load((const uint8_t *)&val, size, (int)st->sign);
			r->pc += 4;
			break;
		}
		case RMM_STEP_FETCH:
			if (rmm_vcpu_access(v, st->addr, &val, 4, RMM_ACCESS_FETCH, 0, x) != RMM_OK) {
				x->far = st->addr;
				return;
			}
			r->pc += 4;
			break;
		case RMM_STEP_SMC:
		case RMM_STEP_HVC:
			if (first)
				memcpy(r->x, st->arg, sizeof(st->arg));
			x->kind = st->op == RMM_STEP_SMC ? RMM_VCPU_EXIT_SMC : RMM_VCPU_EXIT_HVC;
			x->esr = ((uint64_t)(st->op == RMM_STEP_SMC ? RMM_EC_SMC64 : RMM_EC_HVC64)
				  << RMM_ESR_EC_SHIFT) | RMM_ESR_IL;
			return;
		case RMM_STEP_WFI:
		case RMM_STEP_WFE:
			x->kind = RMM_VCPU_EXIT_WFX;
			x->esr = ((uint64_t)RMM_EC_WFX << RMM_ESR_EC_SHIFT) | RMM_ESR_IL |
				 (st->op == RMM_STEP_WFE);
			return;
		case RMM_STEP_MRS:
		case RMM_STEP_MSR: {
			uint64_t *f = sysreg_field(r, st->arg[0]);
			bool rd = st->op == RMM_STEP_MRS;

			if (!rd && first && rt < 31)
				r->x[rt] = st->value;
			if (f) {
				if (rd && rt < 31)
					r->x[rt] = *f;
				else if (!rd)
					*f = rt < 31 ? r->x[rt] : 0;
				r->pc += 4;
				break;
			}
			x->kind = RMM_VCPU_EXIT_SYSREG;
			x->esr = ((uint64_t)RMM_EC_SYSREG << RMM_ESR_EC_SHIFT) | RMM_ESR_IL |
				 (st->arg[0] & 0x3ffc1eull) | ((uint64_t)rt << 5) | (rd ? 1 : 0);
			return;
		}
		case RMM_STEP_SPIN:
			if (first)
				slot->spin_left = st->arg[0];
			if (slot->spin_left > left) {
				slot->spin_left -= left;
				return;
			}
			left -= (unsigned int)slot->spin_left;
			slot->spin_left = 0;
			r->pc += 4;
			break;
		default:
			x->kind = RMM_VCPU_EXIT_UNDEF;
			x->esr = RMM_ESR_IL;
			return;
		}
	}
}

/* An exception is recorded on the step in progress; the "handler" returns
 * to the next step. */
static void script_exception(void *vctx, struct rmm_vcpu *v)
{
	struct script_slot *slot = find(vctx, rmm_vcpu_rec(v));
	struct rmm_vcpu_regs *r = rmm_vcpu_regs(v);
	struct rmm_script_result *res;

	if (!slot)
		return;
	res = slot->s->res ? &slot->s->res[slot->cur] : NULL;
	if (res) {
		res->exceptions++;
		res->esr_el1 = r->esr_el1;
		res->far_el1 = r->far_el1;
	}
	r->pc = (slot->cur + 1) * 4;
	r->pstate = r->spsr_el1;
}

static const struct rmm_vcpu_ops script_ops = {
	.version = RMM_VCPU_VERSION,
	.run = script_run,
	.exception_taken = script_exception,
};

const struct rmm_vcpu_ops *rmm_vcpu_script_ops(void)
{
	return &script_ops;
}
