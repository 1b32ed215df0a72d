/* kvm_wire: migration records over a stream socket (kvm_wire.h). */
#include <unistd.h>

#include "kvm_wire.h"

int km_write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n) {
		ssize_t k = write(fd, b, n);

		if (k <= 0)
			return -1;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

int km_read_all(int fd, void *p, size_t n)
{
	uint8_t *b = p;

	while (n) {
		ssize_t k = read(fd, b, n);

		if (k <= 0)
			return -1;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

int km_send_msg(int fd, uint32_t kind, const void *p, uint32_t len)
{
	uint32_t h[2] = { kind, len };

	return km_write_all(fd, h, sizeof(h)) || km_write_all(fd, p, len) ? -1 : 0;
}

int km_wire_emit(void *ctx, unsigned int stream, const void *rec, size_t len)
{
	struct km_wire *w = ctx;

	(void)stream;  /* one socket carries every stream, in the order emitted */
	w->bytes += len + 8;
	return km_send_msg(w->fd, KM_MSG_RECORD, rec, (uint32_t)len);
}
