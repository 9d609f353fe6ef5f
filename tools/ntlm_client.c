/* ntlm_client.c - `ntlm client`: an NTLM client on the line protocol of ntlm_helper.c. */
#include "ntlm_helper.h"
#include "ntlm_setup.h"

static const tool_cmd client_cmd = {
	"client", "[OPTIONS]",
	"Runs an NTLM client over stdin/stdout, one line per message: prints\n"
	"\"TOKEN <base64>\" for each token to send (the NEGOTIATE at once), reads\n"
	"\"TOKEN <base64>\" for each token received, and prints \"DONE flags=0x...\n"
	"kind=...\" when done (with --show-session-key also sessionkey=<hex>). Then\n"
	"SEAL, UNSEAL, SIGN, VERIFY and QUIT requests use the session security (see\n"
	"ntlm(1))."};

int cmd_client(int argc, char **argv)
{
	return helper_run(argc, argv, &client_cmd, ROLE_CLIENT);
}
