/*
 * RMI 1.0 (Realm Management Interface): the host's ABI to the RMM.
 * FIDs, status codes and structure layouts of DEN0137 1.0-rel0, plus typed
 * wrappers that go through rmm_smc() exactly as a hypervisor's SMC would.
 */
#ifndef RMM_RMI_H
#define RMM_RMI_H

#include <stddef.h>
#include <stdint.h>
#include <rmm/rmm.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RMI_FID(n) (0xC4000000ull | (n))
#define RMI_VERSION               RMI_FID(0x150)
#define RMI_GRANULE_DELEGATE      RMI_FID(0x151)
#define RMI_GRANULE_UNDELEGATE    RMI_FID(0x152)
#define RMI_DATA_CREATE           RMI_FID(0x153)
#define RMI_DATA_CREATE_UNKNOWN   RMI_FID(0x154)
#define RMI_DATA_DESTROY          RMI_FID(0x155)
#define RMI_REALM_ACTIVATE        RMI_FID(0x157)
#define RMI_REALM_CREATE          RMI_FID(0x158)
#define RMI_REALM_DESTROY         RMI_FID(0x159)
#define RMI_REC_CREATE            RMI_FID(0x15A)
#define RMI_REC_DESTROY           RMI_FID(0x15B)
#define RMI_REC_ENTER             RMI_FID(0x15C)
#define RMI_RTT_CREATE            RMI_FID(0x15D)
#define RMI_RTT_DESTROY           RMI_FID(0x15E)
#define RMI_RTT_MAP_UNPROTECTED   RMI_FID(0x15F)
#define RMI_RTT_READ_ENTRY        RMI_FID(0x161)
#define RMI_RTT_UNMAP_UNPROTECTED RMI_FID(0x162)
#define RMI_PSCI_COMPLETE         RMI_FID(0x164)
#define RMI_FEATURES              RMI_FID(0x165)
#define RMI_RTT_FOLD              RMI_FID(0x166)
#define RMI_REC_AUX_COUNT         RMI_FID(0x167)
#define RMI_RTT_INIT_RIPAS        RMI_FID(0x168)
#define RMI_RTT_SET_RIPAS         RMI_FID(0x169)

#define SMCCC_NOT_SUPPORTED 0xFFFFFFFFFFFFFFFFull

/* RmiCommandReturnCode: status [7:0], index [15:8]. */
enum rmi_status {
	RMI_SUCCESS = 0,
	RMI_ERROR_INPUT = 1,
	RMI_ERROR_REALM = 2,
	RMI_ERROR_REC = 3,
	RMI_ERROR_RTT = 4,
};
#define RMI_RETURN_STATUS(x) ((unsigned)((x) & 0xff))
#define RMI_RETURN_INDEX(x)  ((unsigned)(((x) >> 8) & 0xff))
#define RMI_RETURN(status, index) ((uint64_t)(status) | ((uint64_t)(index) << 8))

#define RMI_ABI_VERSION(maj, min) (((uint64_t)(maj) << 16) | (min))
#define RMI_ABI_VERSION_1_0 RMI_ABI_VERSION(1, 0)

/* RmiFeatureRegister0 fields. */
#define RMI_FEAT0_S2SZ(v)          ((v) & 0xff)
#define RMI_FEAT0_LPA2             (1ull << 8)
#define RMI_FEAT0_SVE_EN           (1ull << 9)
#define RMI_FEAT0_SVE_VL(v)        (((v) >> 10) & 0xf)
#define RMI_FEAT0_NUM_BPS(v)       (((v) >> 14) & 0x3f)
#define RMI_FEAT0_NUM_WPS(v)       (((v) >> 20) & 0x3f)
#define RMI_FEAT0_PMU_EN           (1ull << 26)
#define RMI_FEAT0_PMU_NUM_CTRS(v)  (((v) >> 27) & 0x1f)
#define RMI_FEAT0_HASH_SHA_256     (1ull << 32)
#define RMI_FEAT0_HASH_SHA_512     (1ull << 33)
#define RMI_FEAT0_GICV3_NUM_LRS(v) (((v) >> 34) & 0xf)
#define RMI_FEAT0_MAX_RECS_ORDER(v) (((v) >> 38) & 0xf)

/* RmiRealmFlags */
#define RMI_REALM_FLAG_LPA2 (1ull << 0)
#define RMI_REALM_FLAG_SVE  (1ull << 1)
#define RMI_REALM_FLAG_PMU  (1ull << 2)

#define RMI_HASH_SHA_256 0
#define RMI_HASH_SHA_512 1

/* RmiRealmParams (4 KiB, NS memory). */
struct rmi_realm_params {
	uint64_t flags;            /* 0x000 */
	uint8_t s2sz;              /* 0x008 */
	uint8_t pad0[7];
	uint8_t sve_vl;            /* 0x010 */
	uint8_t pad1[7];
	uint8_t num_bps;           /* 0x018 */
	uint8_t pad2[7];
	uint8_t num_wps;           /* 0x020 */
	uint8_t pad3[7];
	uint8_t pmu_num_ctrs;      /* 0x028 */
	uint8_t pad4[7];
	uint8_t hash_algo;         /* 0x030 */
	uint8_t pad5[0x400 - 0x31];
	uint8_t rpv[64];           /* 0x400 */
	uint8_t pad6[0x800 - 0x440];
	uint16_t vmid;             /* 0x800 */
	uint8_t pad7[6];
	uint64_t rtt_base;         /* 0x808 */
	int64_t rtt_level_start;   /* 0x810 */
	uint32_t rtt_num_start;    /* 0x818 */
	uint8_t pad8[0x1000 - 0x81c];
};
_Static_assert(offsetof(struct rmi_realm_params, hash_algo) == 0x30, "hash_algo");
_Static_assert(offsetof(struct rmi_realm_params, rpv) == 0x400, "rpv");
_Static_assert(offsetof(struct rmi_realm_params, vmid) == 0x800, "vmid");
_Static_assert(offsetof(struct rmi_realm_params, rtt_base) == 0x808, "rtt_base");
_Static_assert(offsetof(struct rmi_realm_params, rtt_level_start) == 0x810, "level");
_Static_assert(offsetof(struct rmi_realm_params, rtt_num_start) == 0x818, "num");
_Static_assert(sizeof(struct rmi_realm_params) == 0x1000, "size");

/* RmiDataFlags */
#define RMI_NO_MEASURE_CONTENT 0ull
#define RMI_MEASURE_CONTENT    1ull

/* RmiRttEntryState (RTT_READ_ENTRY X2) */
enum rmi_rtt_entry_state {
	RMI_UNASSIGNED = 0,
	RMI_ASSIGNED = 1,
	RMI_TABLE = 2,
};
/* RmiRipas */
enum rmi_ripas { RMI_EMPTY = 0, RMI_RAM = 1, RMI_DESTROYED = 2 };

/* RTT_READ_ENTRY results. */
struct rmi_rtt_entry {
	int64_t walk_level;
	uint64_t state;
	uint64_t desc;
	uint64_t ripas;
};

/*
 * Typed wrappers: each builds the registers, calls rmm_smc() on 'cpu' and
 * returns X0 (status | index << 8). Outputs are written only where the
 * command defines them for the returned status; pointers may be NULL.
 */
RMM_API uint64_t rmm_rmi_version(struct rmm *r, unsigned cpu, uint64_t req,
				 uint64_t *lower, uint64_t *higher);
RMM_API uint64_t rmm_rmi_features(struct rmm *r, unsigned cpu, uint64_t index,
				  uint64_t *value);
RMM_API uint64_t rmm_rmi_granule_delegate(struct rmm *r, unsigned cpu, uint64_t addr);
RMM_API uint64_t rmm_rmi_granule_undelegate(struct rmm *r, unsigned cpu, uint64_t addr);
RMM_API uint64_t rmm_rmi_realm_create(struct rmm *r, unsigned cpu, uint64_t rd,
				      uint64_t params);
RMM_API uint64_t rmm_rmi_realm_activate(struct rmm *r, unsigned cpu, uint64_t rd);
RMM_API uint64_t rmm_rmi_realm_destroy(struct rmm *r, unsigned cpu, uint64_t rd);
RMM_API uint64_t rmm_rmi_rec_aux_count(struct rmm *r, unsigned cpu, uint64_t rd,
				       uint64_t *count);
RMM_API uint64_t rmm_rmi_rtt_create(struct rmm *r, unsigned cpu, uint64_t rd,
				    uint64_t rtt, uint64_t ipa, int64_t level);
RMM_API uint64_t rmm_rmi_rtt_destroy(struct rmm *r, unsigned cpu, uint64_t rd,
				     uint64_t ipa, int64_t level, uint64_t *rtt,
				     uint64_t *top);
RMM_API uint64_t rmm_rmi_rtt_fold(struct rmm *r, unsigned cpu, uint64_t rd,
				  uint64_t ipa, int64_t level, uint64_t *rtt);
RMM_API uint64_t rmm_rmi_rtt_read_entry(struct rmm *r, unsigned cpu, uint64_t rd,
					uint64_t ipa, int64_t level,
					struct rmi_rtt_entry *e);
RMM_API uint64_t rmm_rmi_rtt_map_unprotected(struct rmm *r, unsigned cpu,
					     uint64_t rd, uint64_t ipa,
					     int64_t level, uint64_t desc);
RMM_API uint64_t rmm_rmi_rtt_unmap_unprotected(struct rmm *r, unsigned cpu,
					       uint64_t rd, uint64_t ipa,
					       int64_t level, uint64_t *top);
RMM_API uint64_t rmm_rmi_rtt_init_ripas(struct rmm *r, unsigned cpu, uint64_t rd,
					uint64_t base, uint64_t top,
					uint64_t *out_top);
RMM_API uint64_t rmm_rmi_data_create(struct rmm *r, unsigned cpu, uint64_t rd,
				     uint64_t data, uint64_t ipa, uint64_t src,
				     uint64_t flags);
RMM_API uint64_t rmm_rmi_data_create_unknown(struct rmm *r, unsigned cpu,
					     uint64_t rd, uint64_t data,
					     uint64_t ipa);
RMM_API uint64_t rmm_rmi_data_destroy(struct rmm *r, unsigned cpu, uint64_t rd,
				      uint64_t ipa, uint64_t *data, uint64_t *top);

/* RmiRecParams (4 KiB, NS memory). */
#define RMI_REC_FLAG_RUNNABLE 1ull
#define RMI_REC_MAX_AUX 16
struct rmi_rec_params {
	uint64_t flags;            /* 0x000 */
	uint8_t pad0[0x100 - 0x8];
	uint64_t mpidr;            /* 0x100 */
	uint8_t pad1[0x200 - 0x108];
	uint64_t pc;               /* 0x200 */
	uint8_t pad2[0x300 - 0x208];
	uint64_t gprs[8];          /* 0x300 */
	uint8_t pad3[0x800 - 0x340];
	uint64_t num_aux;          /* 0x800 */
	uint64_t aux[RMI_REC_MAX_AUX]; /* 0x808 */
	uint8_t pad4[0x1000 - 0x888];
};
_Static_assert(offsetof(struct rmi_rec_params, mpidr) == 0x100, "mpidr");
_Static_assert(offsetof(struct rmi_rec_params, pc) == 0x200, "pc");
_Static_assert(offsetof(struct rmi_rec_params, gprs) == 0x300, "gprs");
_Static_assert(offsetof(struct rmi_rec_params, num_aux) == 0x800, "num_aux");
_Static_assert(offsetof(struct rmi_rec_params, aux) == 0x808, "aux");
_Static_assert(sizeof(struct rmi_rec_params) == 0x1000, "size");

/* MPIDR of the n-th REC (RmiRecMpidr): aff0 [3:0], aff1..aff3. */
static inline uint64_t rmi_rec_mpidr(unsigned int n)
{
	return (uint64_t)(n & 0xf) | ((uint64_t)((n >> 4) & 0xff) << 8) |
	       ((uint64_t)((n >> 12) & 0xff) << 16) | ((uint64_t)((n >> 20) & 0xff) << 24);
}

/* RmiRecEnter flags */
#define RMI_ENTER_EMUL_MMIO      (1ull << 0)
#define RMI_ENTER_INJECT_SEA     (1ull << 1)
#define RMI_ENTER_TRAP_WFI       (1ull << 2)
#define RMI_ENTER_TRAP_WFE       (1ull << 3)
#define RMI_ENTER_RIPAS_RESPONSE (1ull << 4) /* 1: reject */

#define RMI_GIC_NUM_LRS 16

struct rmi_rec_enter {
	uint64_t flags;                     /* 0x000 */
	uint8_t pad0[0x200 - 0x8];
	uint64_t gprs[31];                  /* 0x200 */
	uint8_t pad1[0x300 - 0x2f8];
	uint64_t gicv3_hcr;                 /* 0x300 */
	uint64_t gicv3_lrs[RMI_GIC_NUM_LRS]; /* 0x308 */
	uint8_t pad2[0x800 - 0x388];
};

enum rmi_exit_reason {
	RMI_EXIT_SYNC = 0,
	RMI_EXIT_IRQ = 1,
	RMI_EXIT_FIQ = 2,
	RMI_EXIT_PSCI = 3,
	RMI_EXIT_RIPAS_CHANGE = 4,
	RMI_EXIT_HOST_CALL = 5,
	RMI_EXIT_SERROR = 6,
};

struct rmi_rec_exit {
	uint8_t exit_reason;                /* 0x000 */
	uint8_t pad0[0x100 - 0x1];
	uint64_t esr;                       /* 0x100 */
	uint64_t far;                       /* 0x108 */
	uint64_t hpfar;                     /* 0x110 */
	uint8_t pad1[0x200 - 0x118];
	uint64_t gprs[31];                  /* 0x200 */
	uint8_t pad2[0x300 - 0x2f8];
	uint64_t gicv3_hcr;                 /* 0x300 */
	uint64_t gicv3_lrs[RMI_GIC_NUM_LRS]; /* 0x308 */
	uint64_t gicv3_misr;                /* 0x388 */
	uint64_t gicv3_vmcr;                /* 0x390 */
	uint8_t pad3[0x400 - 0x398];
	uint64_t cntp_ctl;                  /* 0x400 */
	uint64_t cntp_cval;                 /* 0x408 */
	uint64_t cntv_ctl;                  /* 0x410 */
	uint64_t cntv_cval;                 /* 0x418 */
	uint8_t pad4[0x500 - 0x420];
	uint64_t ripas_base;                /* 0x500 */
	uint64_t ripas_top;                 /* 0x508 */
	uint8_t ripas_value;                /* 0x510 */
	uint8_t pad5[0x600 - 0x511];
	uint16_t imm;                       /* 0x600 */
	uint8_t pad6[0x700 - 0x602];
	uint8_t pmu_ovf_status;             /* 0x700 */
	uint8_t pad7[0x800 - 0x701];
};

struct rmi_rec_run {
	struct rmi_rec_enter enter;         /* 0x000 */
	struct rmi_rec_exit exit;           /* 0x800 */
};
_Static_assert(offsetof(struct rmi_rec_enter, gprs) == 0x200, "enter.gprs");
_Static_assert(offsetof(struct rmi_rec_enter, gicv3_lrs) == 0x308, "enter.lrs");
_Static_assert(sizeof(struct rmi_rec_enter) == 0x800, "enter");
_Static_assert(offsetof(struct rmi_rec_exit, esr) == 0x100, "exit.esr");
_Static_assert(offsetof(struct rmi_rec_exit, gprs) == 0x200, "exit.gprs");
_Static_assert(offsetof(struct rmi_rec_exit, gicv3_misr) == 0x388, "exit.misr");
_Static_assert(offsetof(struct rmi_rec_exit, cntv_cval) == 0x418, "exit.cntv_cval");
_Static_assert(offsetof(struct rmi_rec_exit, ripas_value) == 0x510, "exit.ripas_value");
_Static_assert(offsetof(struct rmi_rec_exit, imm) == 0x600, "exit.imm");
_Static_assert(offsetof(struct rmi_rec_exit, pmu_ovf_status) == 0x700, "exit.pmu");
_Static_assert(sizeof(struct rmi_rec_run) == 0x1000, "RecRun");

RMM_API uint64_t rmm_rmi_rec_create(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t rec,
				    uint64_t params);
RMM_API uint64_t rmm_rmi_rec_destroy(struct rmm *r, unsigned cpu, uint64_t rec);
RMM_API uint64_t rmm_rmi_rec_enter(struct rmm *r, unsigned cpu, uint64_t rec, uint64_t run);
RMM_API uint64_t rmm_rmi_psci_complete(struct rmm *r, unsigned cpu, uint64_t calling,
				       uint64_t target, uint64_t status);
RMM_API uint64_t rmm_rmi_rtt_set_ripas(struct rmm *r, unsigned cpu, uint64_t rd, uint64_t rec,
				       uint64_t base, uint64_t top, uint64_t *out_top);

/*
 * Explain a REC exit in words: the exit reason, the syndrome decoded (EC,
 * fault status and level, WnR, S1PTW, ISV and the access), the faulting IPA,
 * what the realm's tables hold there (walk level, entry state, RIPAS), for a
 * Granule Protection Fault the granule behind it with its history, and what
 * the host is expected to do. 'rd' is the REC's realm (0 to skip the walk).
 */
RMM_API void rmm_explain_exit(struct rmm *r, uint64_t rd, const struct rmi_rec_exit *exit,
			      char *buf, size_t len);

/*
 * Decode a syndrome without an instance, as a person holding only a log
 * does (the rmm-esr tool): ESR_EL2, with HPFAR_EL2 and FAR_EL2 when 'have'
 * says they are known, in the explainer's sentences plus what commonly
 * causes that fault on a realm.
 */
#define RMM_ESR_HAVE_HPFAR 1u
#define RMM_ESR_HAVE_FAR   2u
RMM_API void rmm_explain_esr(uint64_t esr, uint64_t hpfar, uint64_t far, unsigned have,
			     char *buf, size_t len);

/*
 * SEA loops. A REC whose injected SEAs cannot make progress (its vector, or
 * the access it retries, is in RIPAS EMPTY memory, or VBAR_EL1 is unset)
 * would loop inside REC_ENTER. After RMM_SEA_LOOP SEAs in a row for one IPA
 * with no other exit, REC_ENTER ends with an IRQ exit and the loop is kept
 * here (and named by rmm_explain_exit for that exit). Entering again
 * continues the realm, and the loop.
 */
#define RMM_SEA_LOOP 64u
struct rmm_sea_loop {
	uint64_t ipa;           /* the IPA every SEA was for */
	uint64_t vbar, pc;      /* VBAR_EL1 and the vector the last SEA went to */
	uint64_t count;         /* SEAs in a row (RMM_SEA_LOOP) */
	unsigned int rec_index; /* the REC's MPIDR index */
	unsigned int ripas;     /* RMI_EMPTY/RMI_RAM, or 0xff: none (unprotected IPA) */
};
/* The last SEA loop of the realm at rd: 1 (*out filled), 0 if none,
 * RMM_EINVAL if rd is not an RD. */
RMM_API int rmm_realm_sea_loop(struct rmm *r, uint64_t rd, struct rmm_sea_loop *out);

/* Measurement read-out for tests and tools (not part of the RMI ABI): the
 * realm's RIM (index 0) or REM[index] as 64 bytes. */
RMM_API int rmm_realm_measurement(struct rmm *r, uint64_t rd, unsigned index,
				  uint8_t out[64]);

#ifdef __cplusplus
}
#endif
#endif /* RMM_RMI_H */
