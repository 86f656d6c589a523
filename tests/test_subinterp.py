"""oldbuffer's audit and lifetime-safe modes in own-GIL subinterpreters.

Run by tests/suites/suite_subinterp.py on CPython 3.12+ (PEP 684), with
the _testsubinterp module (tests/ext/_testsubinterp.c) that the suite
builds into $OLDBUFFER_BUILD.  PARTIES subinterpreters, each with a GIL
of its own, run at once from as many threads and share the module's
static C state, as the threads of a free-threaded build would:

  1. each marks 3,000 sites of its own in the audit's table of sites
     (the internal call a warning makes), after a barrier that all must
     reach while each holds its own GIL -- the proof that they ran in
     parallel; no site may be lost, in its interpreter or the main one;
  2. each makes the audited read call at 200 sites of its own
     (OldBuffer_AsReadBufferAt, the table's way), the same proofs;
  3. each makes 2,000 calls at one site (its own flag): the site warns
     at least once and at most once per interpreter (only callers that
     race at its first warning can both warn);
  4. lifetime-safe mode (GIL builds): each, and the main thread at the
     same time, makes a write call whose callback tries to resize the
     bytearray: refused (BufferError), released after the call.

With --canary it only races on purpose (a plain increment of a shared
static from every subinterpreter), for ThreadSanitizer to report.

Prints "SUBINTERP-RESULT ok" or "SUBINTERP-RESULT FAIL: ...".
"""
import os
import sys
import threading
import time

sys.path.insert(0, os.environ["OLDBUFFER_BUILD"])
import _testsubinterp as M  # noqa: E402

try:
    import _interpreters as interpreters   # 3.13+

    def create():
        iid = interpreters.create()   # the "isolated" config
        assert interpreters.get_config(iid).gil == "own"
        return iid
except ImportError:
    import _xxsubinterpreters as interpreters   # 3.12

    def create():
        return interpreters.create(isolated=True)

PARTIES = 4
PRELUDE = '''
import sys, warnings
sys.path.insert(0, %r)
import _testsubinterp as M
warnings.simplefilter("ignore")
''' % os.environ["OLDBUFFER_BUILD"]

MARK = '''
all_, missing = M.mark_sites(10000 + K * 3000, 3000, PARTIES)
assert all_, "mark_sites: the interpreters did not run in parallel"
assert missing == 0, "mark_sites: %d sites lost" % missing
'''
AUDIT = '''
all_, missing = M.audit_calls(bytearray(8), 50000 + K * 200, 200, PARTIES)
assert all_, "audit_calls: the interpreters did not run in parallel"
assert missing == 0, "audit_calls: %d sites lost" % missing
'''
ONE_SITE = '''
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    assert M.site_calls(bytearray(8), 2000, PARTIES), \\
        "site_calls: the interpreters did not run in parallel"
M.note(len(caught))
'''
LIFETIME = '''
def round_trip():
    buf = bytearray(64)

    def callback():
        try:
            del buf[:]
        except BufferError:
            return True
        return False

    assert M.write_and_call(buf, callback) is True, "resize not refused"
    assert M.pins() == 0, "pin left after the call"
    del buf[:]

for _ in range(300):
    round_trip()
'''


def run_phase(ids, body, main=None):
    """body in every subinterpreter at once (one thread each), main() in
    the main thread meanwhile; returns the failures."""
    failures = []
    M.reset()

    def worker(k, iid):
        code = PRELUDE + "K = %d\nPARTIES = %d\n" % (k, PARTIES) + body
        try:
            res = interpreters.run_string(iid, code)
        except Exception as e:   # 3.12 raises RunFailedError
            res = e
        if res is not None:
            failures.append("interpreter %d: %r" % (k, res))

    threads = [threading.Thread(target=worker, args=(k, iid))
               for k, iid in enumerate(ids)]
    for t in threads:
        t.start()
    if main is not None:
        main()
    for t in threads:
        t.join(30)
        if t.is_alive():
            failures.append("a subinterpreter still runs after 30 s")
    return failures


def main_lifetime():
    scope = {"M": M}
    exec(LIFETIME, scope)


CANARY = """
assert M.canary(PARTIES), "canary: the interpreters did not run in parallel"
"""


def main():
    ids = [create() for _ in range(PARTIES)]
    if "--canary" in sys.argv:
        failures = run_phase(ids, CANARY)
        print("SUBINTERP-RESULT " + ("; ".join(failures) or "ok"))
        return 1 if failures else 0
    failures = []
    t0 = time.time()
    failures += run_phase(ids, MARK)
    failures += run_phase(ids, AUDIT)
    lost = M.missing(10000, PARTIES * 3000) + M.missing(50000, PARTIES * 200)
    if lost:
        failures.append("main interpreter: %d sites lost" % lost)
    failures += run_phase(ids, ONE_SITE)
    if not 1 <= M.noted() <= PARTIES:
        failures.append("one site warned %d times in %d interpreters"
                        % (M.noted(), PARTIES))
    if M.LIFETIME_SAFE:
        failures += run_phase(ids, LIFETIME, main_lifetime)
    for iid in ids:
        interpreters.destroy(iid)
    print("%d subinterpreters, %d sites, one-site warnings %d, lifetime-safe"
          " %s, %.1f s" % (PARTIES, PARTIES * 3200, M.noted(),
                           "yes" if M.LIFETIME_SAFE else "no",
                           time.time() - t0))
    if failures:
        print("SUBINTERP-RESULT FAIL: " + "; ".join(failures))
        return 1
    print("SUBINTERP-RESULT ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
