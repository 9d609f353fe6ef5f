/* netframe.h - length-prefixed frames over a stream socket (demo and tests). */
#ifndef NTLM_NETFRAME_H
#define NTLM_NETFRAME_H

#include <stddef.h>
#include <stdint.h>

#define NETFRAME_MAX (1u << 20)

/* 4-byte big-endian length, then the bytes. 0 on success, -1 on error. */
int netframe_send(int fd, const uint8_t *data, size_t len);
/* *out is malloc'd (free it); -1 on error or EOF or a frame over NETFRAME_MAX. */
int netframe_recv(int fd, uint8_t **out, size_t *len);
/* Listening TCP socket on 127.0.0.1, port chosen by the kernel; *port receives it. */
int netframe_listen_loopback(uint16_t *port);
int netframe_connect_loopback(uint16_t port);

#endif
