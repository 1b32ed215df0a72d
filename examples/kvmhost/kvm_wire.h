/*
 * kvm_wire: migration records between two VMM processes over a stream
 * socket (a socketpair in the examples). A message is a header of two
 * uint32 (kind, length) then the bytes; KM_MSG_RECORD carries one record
 * as the source's emit callback hands it over.
 */
#ifndef KVM_WIRE_H
#define KVM_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define KM_MSG_RECORD 1
#define KM_MSG_END 2     /* the source sent every record */
#define KM_MSG_DIGEST 3  /* example-defined payloads after the end */

/* Write or read exactly n bytes: 0, or -1 on an error or end of file. */
int km_write_all(int fd, const void *p, size_t n);
int km_read_all(int fd, void *p, size_t n);
/* One message: 0 or -1. */
int km_send_msg(int fd, uint32_t kind, const void *p, uint32_t len);

/* The source's end of the wire, an emit callback for km_src_init(). */
struct km_wire {
	int fd;
	unsigned long bytes;  /* bytes written, headers included */
};
int km_wire_emit(void *ctx, unsigned int stream, const void *rec, size_t len);

#endif
