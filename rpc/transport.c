/*
 * transport.c - binding strings, sockets and PDU framing for ncacn_ip_tcp
 * and ncalrpc (a Unix-domain stream socket). A PDU frames itself: its
 * common header carries frag_length.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "pdu.h"
#include "mem.h"
#include "try.h"

/* Connections the kernel completes and queues while the server has no free slot. */
#define LISTEN_BACKLOG SOMAXCONN

/* "[...]" at the end of s: copies the inside to out; 0 if absent or too long. */
static int bracketed(const char *s, char *out, size_t cap)
{
	const char *open = strchr(s, '[');
	size_t n = strlen(s);
	if (!open || n == 0 || s[n - 1] != ']')
		return 0;
	size_t inner = (size_t)(s + n - 1 - open - 1);
	if (inner >= cap)
		return 0;
	memcpy(out, open + 1, inner);
	out[inner] = '\0';
	return 1;
}

static uint32_t parse_tcp(const char *rest, rpc_endpoint *ep)
{
	char port[8];
	const char *open = strchr(rest, '[');
	size_t host_len = open ? (size_t)(open - rest) : 0;
	if (!open || host_len == 0 || host_len >= sizeof(ep->host) ||
	    !bracketed(rest, port, sizeof(port)))
		return NTLM_RPC_S_INVALID_BINDING;
	char *end;
	unsigned long v = strtoul(port, &end, 10);
	if (!*port || *end || v > 65535)
		return NTLM_RPC_S_INVALID_BINDING;
	memcpy(ep->host, rest, host_len);
	ep->host[host_len] = '\0';
	ep->port = (uint16_t)v;
	ep->kind = RPC_TR_TCP;
	return NTLM_RPC_S_OK;
}

static uint32_t parse_local(const char *rest, rpc_endpoint *ep)
{
	if (*rest == '[') {
		if (!bracketed(rest, ep->path, sizeof(ep->path)))
			return NTLM_RPC_S_INVALID_BINDING;
	} else if (strlen(rest) < sizeof(ep->path)) {
		memcpy(ep->path, rest, strlen(rest) + 1);
	} else {
		return NTLM_RPC_S_INVALID_BINDING;
	}
	if (!ep->path[0])
		return NTLM_RPC_S_INVALID_BINDING;
	ep->kind = RPC_TR_LOCAL;
	return NTLM_RPC_S_OK;
}

uint32_t rpc_endpoint_parse(const char *binding, rpc_endpoint *ep)
{
	static const char tcp[] = "ncacn_ip_tcp:", local[] = "ncalrpc:";
	memset(ep, 0, sizeof(*ep));
	if (!binding)
		return NTLM_RPC_S_INVALID_BINDING;
	if (strncmp(binding, tcp, sizeof(tcp) - 1) == 0)
		return parse_tcp(binding + sizeof(tcp) - 1, ep);
	if (strncmp(binding, local, sizeof(local) - 1) == 0)
		return parse_local(binding + sizeof(local) - 1, ep);
	return NTLM_RPC_S_INVALID_BINDING;
}

static int unix_addr(const rpc_endpoint *ep, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(ep->path) >= sizeof(sa->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa->sun_path, ep->path, strlen(ep->path) + 1);
	return 0;
}

static int tcp_socket(const rpc_endpoint *ep, int passive, uint16_t *port)
{
	struct addrinfo hints, *res = NULL;
	char service[8];
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = passive ? AI_PASSIVE : 0;
	snprintf(service, sizeof(service), "%u", ep->port);
	int gai = getaddrinfo(ep->host, service, &hints, &res);
	if (gai != 0) {
		errno = gai == EAI_SYSTEM ? errno : EHOSTUNREACH;
		return -1;
	}
	int fd = -1, saved = ECONNREFUSED;
	for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0)
			continue;
		int one = 1, ok;
		if (passive) {
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
			ok = bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, LISTEN_BACKLOG) == 0;
		} else {
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			ok = connect(fd, a->ai_addr, a->ai_addrlen) == 0;
		}
		if (!ok) {
			saved = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0) {
		errno = saved;
		return -1;
	}
	if (passive && port) {
		struct sockaddr_storage ss;
		memset(&ss, 0, sizeof(ss)); /* a short answer reads as no family, never as garbage */
		socklen_t sl = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		*port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
		                                       : ((struct sockaddr_in *)&ss)->sin_port);
	}
	return fd;
}

int rpc_connect(const rpc_endpoint *ep)
{
	if (ep->kind == RPC_TR_TCP)
		return tcp_socket(ep, 0, NULL);
	struct sockaddr_un sa;
	if (unix_addr(ep, &sa) != 0)
		return -1;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/*
 * bind() found something at the path. A socket file nobody listens on was
 * left by a server that is gone: it is removed (1, bind again). A live one,
 * one we cannot probe, or anything but a socket stays (0, errno EADDRINUSE).
 */
static int remove_stale(const struct sockaddr_un *sa)
{
	struct stat st;
	if (lstat(sa->sun_path, &st) != 0)
		return errno == ENOENT; /* gone meanwhile */
	int stale = 0;
	if (S_ISSOCK(st.st_mode)) {
		/* Non-blocking: a live server with a full accept queue answers EAGAIN, not a wait. */
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		stale = probe >= 0 && connect(probe, (const struct sockaddr *)sa, sizeof(*sa)) != 0 &&
		        errno == ECONNREFUSED;
		if (probe >= 0)
			close(probe);
	}
	if (stale && (unlink(sa->sun_path) == 0 || errno == ENOENT))
		return 1;
	errno = EADDRINUSE;
	return 0;
}

static int file_id(const char *path, rpc_sockfile *id)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return -1;
	id->dev = st.st_dev;
	id->ino = st.st_ino;
	return 0;
}

static int local_listen(const rpc_endpoint *ep, rpc_sockfile *file)
{
	struct sockaddr_un sa;
	if (unix_addr(ep, &sa) != 0)
		return -1;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int bound = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (!bound && errno == EADDRINUSE && remove_stale(&sa))
		bound = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	/* Anyone may connect: every caller is identified by the kernel, not by the file mode. */
	if (!bound || chmod(ep->path, 0666) != 0 || listen(fd, LISTEN_BACKLOG) != 0 ||
	    file_id(ep->path, file) != 0) {
		int e = errno;
		if (bound)
			unlink(ep->path); /* the file this call created */
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int rpc_listen(const rpc_endpoint *ep, uint16_t *port, rpc_sockfile *file)
{
	if (ep->kind == RPC_TR_TCP)
		return tcp_socket(ep, 1, port);
	return local_listen(ep, file);
}

void rpc_unlink_sockfile(const rpc_endpoint *ep, const rpc_sockfile *file)
{
	rpc_sockfile now;
	/* Another server may own the path by now (ours was removed and replaced): leave it. */
	if (ep->kind == RPC_TR_LOCAL && file_id(ep->path, &now) == 0 && now.dev == file->dev &&
	    now.ino == file->ino)
		unlink(ep->path);
}

void rpc_set_timeouts_ms(int fd, unsigned ms)
{
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

void rpc_set_timeouts(int fd, unsigned seconds)
{
	rpc_set_timeouts_ms(fd, seconds * 1000u);
}

ntlm_err rpc_send_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return NTLM_E_IO;
		p += k;
		n -= (size_t)k;
	}
	return NTLM_OK;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until fd is readable or the deadline (0: none) passes (-1, errno ETIMEDOUT). */
static int wait_readable(int fd, int64_t deadline)
{
	if (!deadline)
		return 0;
	for (;;) {
		int64_t left = deadline - now_ms();
		struct pollfd p = {fd, POLLIN, 0};
		int r = left > 0 ? poll(&p, 1, (int)left) : 0;
		if (r > 0)
			return 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			errno = ETIMEDOUT;
		return -1;
	}
}

/* n bytes, all of them before the deadline (0: none; each recv still has SO_RCVTIMEO). */
static ntlm_err recv_full(int fd, uint8_t *p, size_t n, int64_t deadline)
{
	while (n) {
		if (wait_readable(fd, deadline) != 0)
			return NTLM_E_IO;
		ssize_t k = recv(fd, p, n, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = 0; /* orderly close */
			return NTLM_E_IO;
		}
		p += k;
		n -= (size_t)k;
	}
	return NTLM_OK;
}

static ntlm_err recv_pdu_by(int fd, size_t max, int64_t deadline, uint8_t **pdu, size_t *len)
{
	uint8_t hdr[RPC_HDR_LEN];
	uint16_t frag;
	*pdu = NULL;
	*len = 0;
	NTLM_TRY(recv_full(fd, hdr, sizeof(hdr), deadline));
	NTLM_TRY(rpc_peek_frag_len(hdr, &frag));
	if (frag > max)
		return NTLM_E_FIELD_RANGE;
	uint8_t *buf = malloc(frag);
	if (!buf)
		return NTLM_E_NO_MEMORY;
	memcpy(buf, hdr, sizeof(hdr));
	ntlm_err rc = recv_full(fd, buf + RPC_HDR_LEN, frag - RPC_HDR_LEN, deadline);
	if (rc != NTLM_OK) {
		ntlm_free_secret(buf, frag);
		return rc;
	}
	*pdu = buf;
	*len = frag;
	return NTLM_OK;
}

ntlm_err rpc_recv_pdu(int fd, size_t max, uint8_t **pdu, size_t *len)
{
	return recv_pdu_by(fd, max, 0, pdu, len);
}

ntlm_err rpc_recv_pdu_within(int fd, size_t max, unsigned ms, uint8_t **pdu, size_t *len)
{
	return recv_pdu_by(fd, max, now_ms() + ms, pdu, len);
}
