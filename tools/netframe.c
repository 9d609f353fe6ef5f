/* netframe.c - see netframe.h */
#include "netframe.h"
#include "sys.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int netframe_send(int fd, const uint8_t *data, size_t len)
{
	if (len > NETFRAME_MAX)
		return -1;
	uint8_t hdr[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
	                  (uint8_t)len};
	if (ntlm_write_all(fd, hdr, 4))
		return -1;
	return len ? ntlm_write_all(fd, data, len) : 0;
}

int netframe_recv(int fd, uint8_t **out, size_t *len)
{
	uint8_t hdr[4];
	*out = NULL;
	*len = 0;
	if (ntlm_read_all(fd, hdr, 4))
		return -1;
	size_t n = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
	if (n > NETFRAME_MAX)
		return -1;
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf)
		return -1;
	if (n && ntlm_read_all(fd, buf, n)) {
		free(buf);
		return -1;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* A TCP socket and the address 127.0.0.1:port (0: the kernel picks). */
static int loopback_socket(uint16_t port, struct sockaddr_in *a)
{
	memset(a, 0, sizeof(*a));
	a->sin_family = AF_INET;
	a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a->sin_port = htons(port);
	return socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

int netframe_listen_loopback(uint16_t *port)
{
	struct sockaddr_in a;
	int fd = loopback_socket(0, &a);
	if (fd < 0)
		return -1;
	socklen_t alen = sizeof(a);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 16) ||
	    getsockname(fd, (struct sockaddr *)&a, &alen)) {
		close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

int netframe_connect_loopback(uint16_t port)
{
	struct sockaddr_in a;
	int fd = loopback_socket(port, &a);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}
