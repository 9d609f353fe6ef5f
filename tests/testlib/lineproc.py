"""A subprocess that speaks one line per message, read with a timeout: the
shape of `ntlm client` / `ntlm server` / `ntlm squid-helper`, shared by the
tool tests (tests/tools/tooltest.py) and the MitM proxy (tests/mitm/ntlm_mitm.py)."""
import queue
import subprocess
import threading


class LineProc:
    timeout = 15  # seconds a recv() waits for a line

    def __init__(self, argv, env=None):
        self.p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, bufsize=1, env=env)
        self.q = queue.Queue()
        self.err = []
        threading.Thread(target=self._pump, daemon=True).start()
        threading.Thread(target=lambda: self.err.extend(self.p.stderr), daemon=True).start()

    def _pump(self):
        for line in self.p.stdout:
            self.q.put(line.rstrip("\n"))
        self.q.put(None)

    def send(self, line):
        try:
            self.p.stdin.write(line + "\n")
            self.p.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            pass  # it exited: what it said last tells why

    def recv(self, timeout=None):
        """The next line, "TIMEOUT" when none comes in time, "EOF" once it closed."""
        try:
            line = self.q.get(timeout=self.timeout if timeout is None else timeout)
        except queue.Empty:
            return "TIMEOUT"
        if line is None:
            self.q.put(None)
            return "EOF"
        return line
