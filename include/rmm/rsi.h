/* RSI 1.0 (Realm Services Interface) and PSCI as the RMM handles them. */
#ifndef RMM_RSI_H
#define RMM_RSI_H

#include <stddef.h>
#include <stdint.h>

#define RSI_FID(n) (0xC4000000ull | (n))
#define RSI_VERSION                    RSI_FID(0x190)
#define RSI_FEATURES                   RSI_FID(0x191)
#define RSI_MEASUREMENT_READ           RSI_FID(0x192)
#define RSI_MEASUREMENT_EXTEND         RSI_FID(0x193)
#define RSI_ATTESTATION_TOKEN_INIT     RSI_FID(0x194)
#define RSI_ATTESTATION_TOKEN_CONTINUE RSI_FID(0x195)
#define RSI_REALM_CONFIG               RSI_FID(0x196)
#define RSI_IPA_STATE_SET              RSI_FID(0x197)
#define RSI_IPA_STATE_GET              RSI_FID(0x198)
#define RSI_HOST_CALL                  RSI_FID(0x199)

enum rsi_status {
	RSI_SUCCESS = 0,
	RSI_ERROR_INPUT = 1,
	RSI_ERROR_STATE = 2,
	RSI_INCOMPLETE = 3,
	RSI_ERROR_UNKNOWN = 4,
};

enum rsi_ripas { RSI_EMPTY = 0, RSI_RAM = 1, RSI_DESTROYED = 2 };
#define RSI_CHANGE_DESTROYED 1ull  /* IPA_STATE_SET flags bit 0 */
#define RSI_ACCEPT 0ull
#define RSI_REJECT 1ull

/* RsiRealmConfig (4 KiB, written by REALM_CONFIG) */
#define RSI_REALM_CONFIG_IPA_WIDTH 0x0
#define RSI_REALM_CONFIG_HASH_ALGO 0x8
#define RSI_REALM_CONFIG_RPV 0x200

/* RsiHostCall (256 B, 256-byte aligned) */
struct rsi_host_call {
	uint16_t imm;
	uint8_t pad[6];
	uint64_t gprs[31];
};
_Static_assert(sizeof(struct rsi_host_call) == 256, "RsiHostCall is 256 bytes");

/* PSCI */
#define PSCI_VERSION          0x84000000ull
#define PSCI_CPU_SUSPEND      0xC4000001ull
#define PSCI_CPU_OFF          0x84000002ull
#define PSCI_CPU_ON           0xC4000003ull
#define PSCI_AFFINITY_INFO    0xC4000004ull
#define PSCI_SYSTEM_OFF       0x84000008ull
#define PSCI_SYSTEM_RESET     0x84000009ull
#define PSCI_FEATURES         0x8400000Aull
#define SMCCC_VERSION         0x80000000ull

#define PSCI_SUCCESS            0ull
#define PSCI_NOT_SUPPORTED      ((uint64_t)-1)
#define PSCI_INVALID_PARAMETERS ((uint64_t)-2)
#define PSCI_DENIED             ((uint64_t)-3)
#define PSCI_ALREADY_ON         ((uint64_t)-4)
#define PSCI_INVALID_ADDRESS    ((uint64_t)-9)
#define PSCI_AFF_ON 0ull
#define PSCI_AFF_OFF 1ull

#endif
