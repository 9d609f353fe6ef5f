/* client_wb.h - the client's checks on winbindd's AUTHENTICATE (client_wb.c). */
#ifndef NTLM_CLIENT_WB_H
#define NTLM_CLIENT_WB_H

#include "context.h"
#include "wire.h"

/*
 * winbindd's AUTHENTICATE (msg, with key its ExportedSessionKey) for the
 * CHALLENGE chal, decoded into *a (views into msg; clear it): its flags
 * within chosen (what our client would have chosen) and the policy's
 * minimum security, its response kind allowed (ctx->kind), and the MIC over
 * ctx's NEGOTIATE and CHALLENGE when announced, required when chal carries
 * a timestamp (client_wb.c).
 */
NTLM_MUST_CHECK ntlm_err client_wb_check(ntlm_ctx *ctx, const nw_challenge *chal, uint32_t chosen,
                                         const uint8_t *msg, size_t len, const uint8_t *key,
                                         nw_authenticate *a);

#endif
