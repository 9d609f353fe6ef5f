/*
 * lineproto.h - the interop suite's line protocol for the C peer adapters
 * (ntlmpeer.c, gssntlm.c, winpr_peer.c): base64, TOKEN lines, the DONE line,
 * the command line and the SEAL / UNSEAL / SIGN / VERIFY / QUIT command loop.
 * lineproto.c is compiled with each adapter (tests/suites/40-interop.sh);
 * each adapter supplies the four operations.
 */
#ifndef INTEROP_LINEPROTO_H
#define INTEROP_LINEPROTO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lp_put_b64(const uint8_t *d, size_t n);
/* Decodes up to the first space or line end; malloc'd result, NULL on error. */
uint8_t *lp_get_b64(const char *s, size_t *n);
void lp_put_hex(const uint8_t *d, size_t n);
/* Prints "TOKEN <b64>". */
void lp_token(const void *d, size_t n);
/* Reads the next "TOKEN <b64>" line; NULL at EOF or QUIT. */
uint8_t *lp_read_token(size_t *n);
/* NegotiateFlags of an AUTHENTICATE message (the agreed flags); 0 for another message. */
uint32_t lp_auth_flags(const uint8_t *t, size_t n);

/*
 * The command line: the role ("client" / "server", returned as 1 for server)
 * and --NAME options; value options store optarg in *value, flag options
 * (value NULL) set *flag. Returns -1 on a bad command line.
 */
typedef struct lp_opt {
	const char *name;
	const char **value;
	int *flag;
} lp_opt;
int lp_args(int argc, char **argv, const lp_opt *opts, size_t n_opts);

/* An operation returns 0 on success, else writes a reason into err. */
typedef struct lp_ops {
	void *ctx;
	int (*seal)(void *ctx, const uint8_t *in, size_t n, uint8_t **data, size_t *dn, uint8_t sig[16],
	            char *err, size_t errlen);
	int (*unseal)(void *ctx, const uint8_t *d, size_t dn, const uint8_t sig[16], uint8_t **plain,
	              size_t *pn, char *err, size_t errlen);
	int (*sign)(void *ctx, const uint8_t *m, size_t n, uint8_t sig[16], char *err, size_t errlen);
	int (*verify)(void *ctx, const uint8_t *m, size_t n, const uint8_t sig[16], char *err,
	              size_t errlen);
} lp_ops;

void lp_session(const lp_ops *ops);

#endif
