/*
 * Decoded blocks for the AArch64 interpreter: the instructions of a run of
 * one page, fetched through the stage-2 service once and kept, as a CPU's
 * instruction TLB and cache keep them, for as long as the translation they
 * were fetched under holds:
 * - the VA still translates to the same IPA at the same EL with execute
 *   permission (the stage-1 TLB, which TLBIs and TTBR/TCR/SCTLR writes flush);
 * - the stage-2 and GPT state is unchanged on this CPU (the RMM's fetch
 *   token: any TLBI that reached the CPU, any PAS change, another realm);
 * - no IC instruction ran on any vCPU since (self-modifying code: CTR_EL0
 *   says DIC = 0, so software invalidates after writing instructions).
 * Anything else (TLB checking mode, fault injection, a cold stage-1 entry)
 * takes the one-instruction path, which fetches every instruction.
 *
 * The checks are made when a block is entered: its instructions count as
 * fetched then, as a pipeline's are. A block already running when another
 * CPU's invalidation completes runs to its end (at most 32 instructions,
 * ended early by any branch, exception or system instruction; its loads and
 * stores are each checked as usual), and no block is entered afterwards.
 */
#include <stdlib.h>

#include "vcpu_a64_int.h"

static int undef_fn(struct cpu *c, uint32_t in)
{
	(void)in;
	return a64_undef(c);
}

a64_group_fn a64_group(uint32_t in)
{
	unsigned int op0 = BITS(in, 28, 25);

	if ((op0 & 0xe) == 0x8)
		return a64_dp_imm;
	if ((op0 & 0xe) == 0xa)
		return a64_branch;
	if ((op0 & 0x5) == 0x4)
		return a64_ldst;
	if ((op0 & 0x7) == 0x5)
		return a64_dp_reg;
	if ((op0 & 0x7) == 0x7)
		return a64_simd;
	return undef_fn;
}

int a64_blk_get(struct cpu *c, struct a64_blk **out)
{
	uint64_t pc = c->r->pc, ipa, token, icgen;
	uint64_t icpage;
	struct a64_blk *b;
	unsigned int n;

	*out = NULL;
	if (atomic_load_explicit(&c->ctx->blk_off, memory_order_relaxed) || (pc & 3) ||
	    !a64_fetch_cached(c, pc, &ipa))
		return DONE;
	/* the token before the fetch: an invalidation that lands during the
	 * fetch moves it on, so the block is refetched next time */
	token = rmm_vcpu_fetch_gen(c->v);
	if (!token)
		return DONE;
	if (!c->blks) {  /* first use on this host CPU (no memory: one at a time) */
		if (!c->ctx->blk[c->slot])
			c->ctx->blk[c->slot] = calloc(A64_BLKS, sizeof(struct a64_blk));
		c->blks = c->ctx->blk[c->slot];
		if (!c->blks)
			return DONE;
	}
	icgen = atomic_load_explicit(&c->ctx->ic_gen, memory_order_acquire);
	icpage = atomic_load_explicit(&c->ctx->ic_page[a64_ic_page(ipa)], memory_order_acquire);
	b = &c->blks[a64_blk_slot(pc)];
	if (b->va == pc && b->ipa == ipa && b->token == token && b->icgen == icgen &&
	    b->icpage == icpage && b->el == el(c)) {
		c->blk_runs++;
		*out = b;
		return DONE;
	}
	n = (4096u - (unsigned int)(pc & 0xfff)) / 4;
	if (n > A64_BLK_INSNS)
		n = A64_BLK_INSNS;
	b->va = ~0ull;
	if (rmm_vcpu_access(c->v, ipa, b->in, n * 4, RMM_ACCESS_FETCH, 0, c->x) != RMM_OK) {
		/* exactly the fault fetching the instruction at pc takes */
		c->x->far = pc;
		if (c->x->kind == RMM_VCPU_EXIT_ABORT)
			c->x->esr |= 1ull << 25;
		return STOP;
	}
	b->n = n;
	b->ipa = ipa;
	b->token = token;
	b->icgen = icgen;
	b->icpage = icpage;
	b->el = el(c);
	b->va = pc;
	c->blk_fills++;
	c->blk_runs++;
	*out = b;
	return DONE;
}

void a64_ic(struct cpu *c, bool all, uint64_t va)
{
	uint64_t ipa = 0;

	if (!all) {
		/* translate as AT does (the stage-1 TLB, else a walk; no fault
		 * taken, the exit kept) */
		struct rmm_vcpu_exit keep = *c->x;

		if (a64_probe(c, va, RD, el(c) == 0, &ipa) != 0)
			all = true;  /* no translation: drop every block */
		*c->x = keep;
	}
	if (all)
		atomic_fetch_add_explicit(&c->ctx->ic_gen, 1, memory_order_release);
	else
		atomic_fetch_add_explicit(&c->ctx->ic_page[a64_ic_page(ipa)], 1,
					  memory_order_release);
}

void rmm_a64_set_blocks(struct rmm_a64_ctx *ctx, int on)
{
	atomic_store_explicit(&ctx->blk_off, !on, memory_order_relaxed);
}

void rmm_a64_block_stats(const struct rmm_a64_ctx *ctx, uint64_t *fills, uint64_t *runs)
{
	if (fills)
		*fills = atomic_load(&ctx->blk_fills);
	if (runs)
		*runs = atomic_load(&ctx->blk_runs);
}
