"""tally.py - the pass/fail tally the integration test scripts share.

T = Tally("name"); T.check(cond, what, detail); T.eq(got, want, what);
T.finish() prints "name: N passed, M failed" and exits non-zero on any
failure."""
import sys


class Tally:
    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failures = []

    def check(self, cond, what, detail=""):
        if cond:
            self.passed += 1
        else:
            self.failures.append(f"{what}: {detail}")
            print(f"FAIL {what}\n     {detail}", flush=True)

    def eq(self, got, want, what):
        self.check(got == want, what, f"got {got!r}, want {want!r}")

    def finish(self):
        print(f"{self.name}: {self.passed} passed, {len(self.failures)} failed", flush=True)
        sys.exit(1 if self.failures else 0)
