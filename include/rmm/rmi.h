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

/* Measurement read-out for tests and tools (not part of the RMI ABI): the
 * realm's RIM (index 0) or REM[index] as 64 bytes. */
RMM_API int rmm_realm_measurement(struct rmm *r, uint64_t rd, unsigned index,
				  uint8_t out[64]);

#ifdef __cplusplus
}
#endif
#endif /* RMM_RMI_H */
