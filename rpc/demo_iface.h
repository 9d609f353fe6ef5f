/*
 * demo_iface.h - the demonstration interface served by rpc/demo_server and
 * called by rpc/demo_client, the tests and the impacket scripts.
 *
 * Interface 5c4e2a1b-7d3f-4e89-9a61-0b2c3d4e5f60 version 1.0. Stubs are
 * little-endian NDR; a "string" is a conformant array of bytes: u32 count,
 * count bytes of UTF-8, zero padding to a multiple of 4.
 *
 *   0 Echo      in: any bytes              out: the same bytes
 *   1 Add       in: u32 a, u32 b           out: u32 a + b (mod 2^32)
 *   2 WhoAmI    in: u32 flags (optional; bit 0: impersonate first)
 *               out: u32 status (of the impersonation, 0 = ok), u32 euid, u32 egid,
 *                    u32 authn_svc, u32 authn_level, u32 imp_level, u32 local,
 *                    string client_principal, string unix_user,
 *                    string server_principal, string target_name
 *   3 ReadFile  in: string path            out: u32 status (impersonation), u32 errno,
 *                                               u32 euid, string first 64 KiB of the file
 *   4 Relay     in: string binding         out: u32 status (impersonation), u32 status
 *               (impersonates the caller,        (of the onward bind + call), string
 *                then calls WhoAmI there          message, string the onward WhoAmI
 *                with its thread's identity)      answer
 */
#ifndef NTLM_RPC_DEMO_IFACE_H
#define NTLM_RPC_DEMO_IFACE_H

#include "buf.h"
#include "ntlmssp/rpc.h"

#define DEMO_IFACE_UUID  "5c4e2a1b-7d3f-4e89-9a61-0b2c3d4e5f60"
#define DEMO_IFACE_MAJOR 1
#define DEMO_IFACE_MINOR 0

enum demo_opnum {
	DEMO_OP_ECHO = 0,
	DEMO_OP_ADD = 1,
	DEMO_OP_WHOAMI = 2,
	DEMO_OP_READFILE = 3,
	DEMO_OP_RELAY = 4,
	DEMO_OP_COUNT
};

#define DEMO_WHOAMI_IMPERSONATE 0x1u

/* The interface, ready for ntlm_rpc_server_register(). */
void demo_iface(ntlm_rpc_interface *out);
/* The interface's syntax (UUID + version) for ntlm_rpc_client_bind(). */
void demo_syntax(ntlm_rpc_syntax *out);

/* A WhoAmI answer, decoded (the strings point into the stub). */
typedef struct demo_whoami {
	uint32_t status, euid, egid, authn_svc, authn_level, imp_level, local;
	char client_principal[256], unix_user[64], server_principal[256], target_name[256];
} demo_whoami;

ntlm_err demo_parse_whoami(const uint8_t *stub, size_t len, demo_whoami *out);
/* Appends a "string" (see above) to w. */
void demo_put_string(nb_writer *w, const char *s, size_t n);

#endif
