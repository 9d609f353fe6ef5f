/* ntlm_server.c - `ntlm server`: an NTLM server on the line protocol of ntlm_helper.c. */
#include "ntlm_helper.h"
#include "ntlm_setup.h"

static const tool_cmd server_cmd = {
	"server", "[OPTIONS]",
	"Runs an NTLM server over stdin/stdout against an smbpasswd-format\n"
	"account file: reads \"TOKEN <base64>\", answers \"TOKEN <base64>\", and\n"
	"ends the handshake with \"DONE user=DOMAIN\\user flags=0x... kind=...\" (with\n"
	"--show-session-key also sessionkey=<hex>) or \"FAIL <reason>\" (then exits 1).\n"
	"Then SEAL, UNSEAL, SIGN, VERIFY and QUIT requests use the session security\n"
	"(see ntlm(1))."};

int cmd_server(int argc, char **argv)
{
	return helper_run(argc, argv, &server_cmd, ROLE_SERVER);
}
