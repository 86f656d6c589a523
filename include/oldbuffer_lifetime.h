/* oldbuffer_lifetime.h -- EXPERIMENTAL: the lifetime-safe mode of
 * oldbuffer.h (OLDBUFFER_LIFETIME_SAFE).
 *
 * Part of oldbuffer (0BSD, see oldbuffer.h).  Not included on its own:
 * oldbuffer.h includes it when OLDBUFFER_LIFETIME_SAFE is defined, so
 * copy it next to oldbuffer.h only if you use that mode.
 *
 * A hazardous export (see oldbuffer_probe_hazard in oldbuffer.h) is kept
 * -- "pinned" -- instead of released, until the C function that made the
 * call has returned to Python.  The mechanism, its limits and its costs
 * are described in docs/lifetime-safe.md; in short:
 *   - a pin records the innermost Python frame (the one that called the
 *     C function) and, in a profile list, that frame's instruction;
 *   - in the main thread, pins go to a list of its own, and a pending
 *     call (Py_AddPendingCall), which the eval loop runs right after the
 *     C function returns, releases them;
 *   - when the pending call runs inside a Python callback of the C
 *     function, and in other threads, pins go to a per-thread profile
 *     list owned by a profile function (PyEval_SetProfile), chained to
 *     any one already there, which releases a pin at the first event
 *     showing its call over, and removes itself with the last pin;
 *   - an atexit function releases the main thread's pins at exit, and a
 *     Py_AtExit function drops what finalisation left, so that Python
 *     can be initialised again.
 * It reads PyThreadState's c_profilefunc and c_profileobj (full API).
 */
#ifndef OLDBUFFER_LIFETIME_H
#define OLDBUFFER_LIFETIME_H

#if !defined(OLDBUFFER_H) || !defined(OLDBUFFER_LIFETIME_SAFE)
#  error "oldbuffer_lifetime.h is included by oldbuffer.h: define OLDBUFFER_LIFETIME_SAFE and include oldbuffer.h"
#endif
#if defined(PYPY_VERSION)
#  error "OLDBUFFER_LIFETIME_SAFE needs CPython: PyPy's cpyext has no PyEval_SetProfile() (and copies bytearray per export)"
#endif
#if defined(Py_LIMITED_API)
#  error "OLDBUFFER_LIFETIME_SAFE needs the full API: PyEval_SetProfile() is not in the limited API"
#endif

#if PY_VERSION_HEX < 0x030B0000
/* PyFrameObject's fields are public up to 3.10 but Python.h does not
 * include them. */
#  include <frameobject.h>
#endif
#if PY_VERSION_HEX < 0x03070000
#  include <pythread.h>   /* PyThread_get_thread_ident(): not in Python.h */
#endif

#define OLDBUFFER_PROFILE_CAPSULE "oldbuffer.pins"

/* (Records are PyMem_RawMalloc'd: valid in any thread, and after
 * Python is finalised, see oldbuffer_main_thread_forget.) */
typedef struct oldbuffer_pin {
    struct oldbuffer_pin *next;
    PyObject *obj;          /* the legacy call's object (strong) */
    PyFrameObject *frame;   /* the frame that called the C function */
    int lasti;              /* and its instruction then (profile lists
                               only: the main thread's own list needs
                               none, see oldbuffer_main_thread_settle) */
    Py_buffer view;         /* the export kept; never moved in memory */
} oldbuffer_pin;

typedef struct {
    oldbuffer_pin *first;
    Py_tracefunc saved_func;   /* the profile function we chain to */
    PyObject *saved_obj;       /* (strong) */
} oldbuffer_profile_list;

/* The main thread: its pins while no profile function of ours is
 * installed there, and which thread it is, as the pending call found
 * (pending calls run in the main thread of the main interpreter). */
typedef struct {
    oldbuffer_pin *first;
    int identified;                   /* ident and interp set */
    unsigned long ident;
    PyInterpreterState *interp;
    int atexit_registered;        /* oldbuffer_main_thread_atexit is */
    /* Records of released pins kept for the next ones (any code may
     * free one), so that a C function's pin costs no allocation; taken
     * and given back in the main thread alone. */
    oldbuffer_pin *spare;
    int spares;
    int py_atexit_registered;     /* oldbuffer_main_thread_forget is */
    int pending_call_refused;     /* 3.8: Py_AddPendingCall refused */
} oldbuffer_main_thread_state;

#define OLDBUFFER_MAX_SPARE_RECORDS 8

OLDBUFFER_INLINE oldbuffer_main_thread_state *
oldbuffer_main_thread(void)
{
    static oldbuffer_main_thread_state main_pins;
    return &main_pins;
}

OLDBUFFER_INLINE PyInterpreterState *
oldbuffer_interp_of(PyThreadState *ts)
{
#if PY_VERSION_HEX >= 0x03090000
    return PyThreadState_GetInterpreter(ts);
#else
    return ts->interp;
#endif
}

/* The main interpreter (PyInterpreterState_Main() is 3.7; before, the
 * first one made is the last of the list). */
OLDBUFFER_INLINE PyInterpreterState *
oldbuffer_main_interp(void)
{
#if PY_VERSION_HEX >= 0x03070000
    return PyInterpreterState_Main();
#else
    PyInterpreterState *interp = PyInterpreterState_Head();

    while (interp != OLDBUFFER_NULL
           && PyInterpreterState_Next(interp) != OLDBUFFER_NULL) {
        interp = PyInterpreterState_Next(interp);
    }
    return interp;
#endif
}

/* PyThread_get_thread_ident(): long in 3.6, unsigned long since. */
OLDBUFFER_INLINE unsigned long
oldbuffer_thread_ident(void)
{
#if PY_VERSION_HEX >= 0x03070000
    return PyThread_get_thread_ident();
#elif defined(__cplusplus)
    return static_cast<unsigned long>(PyThread_get_thread_ident());
#else
    return (unsigned long)PyThread_get_thread_ident();
#endif
}

/* The main thread's state is read and written only by threads of the
 * main interpreter: on 3.12+ a subinterpreter may have a GIL of its own
 * (PEP 684), and its threads would run beside the main one.  Those
 * threads see only their own profile lists. */
OLDBUFFER_INLINE int
oldbuffer_is_main_thread(PyThreadState *ts)
{
    oldbuffer_main_thread_state *m = oldbuffer_main_thread();
    PyInterpreterState *interp = oldbuffer_interp_of(ts);

    return interp == oldbuffer_main_interp() && m->identified
           && m->interp == interp && m->ident == oldbuffer_thread_ident();
}

/* The frame's current instruction.  bpo-40421 (3.11) made the frame
 * struct private; PyFrame_GetLasti() reads it since. */
OLDBUFFER_INLINE int
oldbuffer_frame_lasti(PyFrameObject *frame)
{
#if PY_VERSION_HEX >= 0x030B0000
    return PyFrame_GetLasti(frame);
#else
    return frame->f_lasti;
#endif
}

/* Release one pin, its record kept (into the main thread's spares) or
 * freed.  A release hook may run Python code and raise; an event
 * callback must leave no exception of its own, so such an error is
 * reported as unraisable and the exception in flight kept. */
OLDBUFFER_INLINE void
oldbuffer_pin_release_record(oldbuffer_pin *pin, int keep_record)
{
    oldbuffer_main_thread_state *m = oldbuffer_main_thread();
    oldbuffer_stash stash;

    OLDBUFFER_STASH(stash);
    PyBuffer_Release(&pin->view);
    if (PyErr_Occurred()) {
        PyErr_WriteUnraisable(pin->obj);
    }
    Py_DECREF(pin->obj);
    Py_DECREF(OLDBUFFER_CAST(PyObject *, pin->frame));
    if (keep_record && m->spares < OLDBUFFER_MAX_SPARE_RECORDS) {
        pin->next = m->spare;
        m->spare = pin;
        m->spares++;
    }
    else {
        PyMem_RawFree(pin);
    }
    OLDBUFFER_UNSTASH(stash);
}

OLDBUFFER_INLINE void
oldbuffer_pin_release(oldbuffer_pin *pin)
{
    oldbuffer_pin_release_record(pin, 0);
}

/* Release the pins of frame: all of them, or (all == 0) those whose
 * call is over because the frame has moved to another instruction.
 * One at a time, unlinked first: a release hook may pin again. */
OLDBUFFER_INLINE void
oldbuffer_release_frame_pins(oldbuffer_profile_list *pins, PyFrameObject *frame, int all)
{
    oldbuffer_pin **link, *pin;
    int lasti = 0, have_lasti = 0;

    for (;;) {
        for (link = &pins->first; *link != OLDBUFFER_NULL;
             link = &(*link)->next) {
            if ((*link)->frame != frame) {
                continue;
            }
            if (!all && !have_lasti) {
                lasti = oldbuffer_frame_lasti(frame);
                have_lasti = 1;
            }
            if (all || (*link)->lasti != lasti) {
                break;
            }
        }
        pin = *link;
        if (pin == OLDBUFFER_NULL) {
            return;
        }
        *link = pin->next;
        oldbuffer_pin_release(pin);
    }
}

/* PyTrace_CALL: release the pins of the new frame's caller whose call
 * is over.  PyFrame_GetBack() is 3.9 (bpo-40421). */
OLDBUFFER_INLINE void
oldbuffer_release_caller_pins(oldbuffer_profile_list *pins, PyFrameObject *frame)
{
#if PY_VERSION_HEX >= 0x03090000
    PyFrameObject *back = PyFrame_GetBack(frame);

    if (back != OLDBUFFER_NULL) {
        oldbuffer_release_frame_pins(pins, back, 0);
        Py_DECREF(OLDBUFFER_CAST(PyObject *, back));
    }
#else
    if (frame->f_back != OLDBUFFER_NULL) {
        oldbuffer_release_frame_pins(pins, frame->f_back, 0);
    }
#endif
}

/* Is target the frame, or one of its callers? */
OLDBUFFER_INLINE int
oldbuffer_frame_on_stack(PyFrameObject *target, PyFrameObject *frame)
{
#if PY_VERSION_HEX >= 0x03090000
    PyFrameObject *back;
    int found = 0;

    Py_XINCREF(OLDBUFFER_CAST(PyObject *, frame));
    while (frame != OLDBUFFER_NULL && !found) {
        found = frame == target;
        back = PyFrame_GetBack(frame);
        Py_DECREF(OLDBUFFER_CAST(PyObject *, frame));
        frame = back;
    }
    Py_XDECREF(OLDBUFFER_CAST(PyObject *, frame));
    return found;
#else
    for (; frame != OLDBUFFER_NULL; frame = frame->f_back) {
        if (frame == target) {
            return 1;
        }
    }
    return 0;
#endif
}

/* Release every pin of a list, one at a time, unlinked first. */
OLDBUFFER_INLINE void
oldbuffer_release_all_pins(oldbuffer_pin **first)
{
    oldbuffer_pin *pin;

    while ((pin = *first) != OLDBUFFER_NULL) {
        *first = pin->next;
        oldbuffer_pin_release(pin);
    }
}

OLDBUFFER_INLINE void
oldbuffer_profile_list_destroy(PyObject *capsule)
{
    oldbuffer_profile_list *pins = OLDBUFFER_CAST(oldbuffer_profile_list *,
        PyCapsule_GetPointer(capsule, OLDBUFFER_PROFILE_CAPSULE));

    oldbuffer_release_all_pins(&pins->first);
    Py_XDECREF(pins->saved_obj);
    PyMem_Free(pins);
}

/* Put the chained profile function back, if ours is still the one
 * installed (another extension's oldbuffer may sit on top of it: then
 * stay, a pass-through, until it puts ours back). */
OLDBUFFER_INLINE void
oldbuffer_profile_uninstall(PyObject *capsule, oldbuffer_profile_list *pins)
{
    PyThreadState *ts = PyThreadState_Get();
    oldbuffer_stash stash;

    if (ts->c_profileobj != capsule) {
        return;
    }
    OLDBUFFER_STASH(stash);
    PyEval_SetProfile(pins->saved_func, pins->saved_obj);
    OLDBUFFER_UNSTASH(stash);
}

/* Main thread: a pending call releases the pins as soon as the C
 * function has returned (see oldbuffer_pending_call below). */
OLDBUFFER_INLINE void oldbuffer_schedule_pending_call(void);

/* The profile function: the chained one first, then the pins. */
OLDBUFFER_INLINE int
oldbuffer_profile_func(PyObject *capsule, PyFrameObject *frame, int what,
                       PyObject *arg)
{
    oldbuffer_profile_list *pins = OLDBUFFER_CAST(oldbuffer_profile_list *,
        PyCapsule_GetPointer(capsule, OLDBUFFER_PROFILE_CAPSULE));
    int res = 0;

    /* Whoever calls PyEval_SetProfile() from here on (the chained
     * function, or we) drops the thread's reference to the capsule. */
    Py_INCREF(capsule);
    if (pins->saved_func != OLDBUFFER_NULL) {
        res = (*pins->saved_func)(pins->saved_obj, frame, what, arg);
    }
    if (pins->first != OLDBUFFER_NULL && frame != OLDBUFFER_NULL) {
        switch (what) {
        case PyTrace_RETURN:
            /* A callback of the C function returned into it: the C
             * function may return next. */
            oldbuffer_schedule_pending_call();
            oldbuffer_release_frame_pins(pins, frame, 1);
            break;
        case PyTrace_C_RETURN:
        case PyTrace_C_EXCEPTION:
            oldbuffer_release_frame_pins(pins, frame, 1);
            break;
        case PyTrace_CALL:
            /* A new frame: its caller may be a pinned frame gone on (or
             * the C function calling back: same instruction, kept). */
            oldbuffer_release_caller_pins(pins, frame);
            break;
        default:
            oldbuffer_release_frame_pins(pins, frame, 0);
            break;
        }
    }
    if (pins->first == OLDBUFFER_NULL) {
        oldbuffer_profile_uninstall(capsule, pins);
    }
    Py_DECREF(capsule);
    return res;
}

/* This thread's pins of this translation unit, if its profile function
 * is installed. */
OLDBUFFER_INLINE oldbuffer_profile_list *
oldbuffer_profile_list_of(PyThreadState *ts)
{
    if (ts->c_profilefunc != oldbuffer_profile_func) {
        return OLDBUFFER_NULL;
    }
    return OLDBUFFER_CAST(oldbuffer_profile_list *,
        PyCapsule_GetPointer(ts->c_profileobj, OLDBUFFER_PROFILE_CAPSULE));
}

OLDBUFFER_INLINE oldbuffer_profile_list *
oldbuffer_profile_install(PyThreadState *ts)
{
    oldbuffer_profile_list *pins;
    PyObject *capsule;
    int installed;

    pins = OLDBUFFER_CAST(oldbuffer_profile_list *, PyMem_Calloc(1, sizeof *pins));
    if (pins == OLDBUFFER_NULL) {
        PyErr_NoMemory();
        return OLDBUFFER_NULL;
    }
    capsule = PyCapsule_New(pins, OLDBUFFER_PROFILE_CAPSULE,
                            oldbuffer_profile_list_destroy);
    if (capsule == OLDBUFFER_NULL) {
        PyMem_Free(pins);
        return OLDBUFFER_NULL;
    }
    pins->saved_func = ts->c_profilefunc;
    pins->saved_obj = ts->c_profileobj;
    Py_XINCREF(pins->saved_obj);
    /* May fail without telling (an audit hook refusing sys.setprofile:
     * reported as unraisable); then the capsule dies here and the call
     * stays as the default mode has it. */
    PyEval_SetProfile(oldbuffer_profile_func, capsule);
    installed = ts->c_profileobj == capsule;
    Py_DECREF(capsule);
    return installed ? pins : OLDBUFFER_NULL;
}

/* The pending call (Py_AddPendingCall).  CPython runs pending calls in
 * the main thread, from the eval loop, between two instructions -- after
 * every CALL among others (CHECK_EVAL_BREAKER).  So when it runs in a
 * frame that holds pins, that frame's code is running again: the C
 * function it called has returned, and the pins can go, before the
 * frame's next instruction (a "del buf[:n]" right after the call).
 * When it runs anywhere else -- inside a callback of the C function --
 * it does nothing, and the callback's return schedules it again.  (A C
 * function that itself calls Py_MakePendingCalls() would see its pins
 * released early: a documented limit.)  Other threads rely on the
 * profile events alone. */
OLDBUFFER_INLINE int *
oldbuffer_pending_call_scheduled(void)
{
    static int scheduled;
    return &scheduled;
}

/* The main thread's own pins, from the pending call running in frame:
 * a pin of frame, or of a frame no longer running, is over; a pin whose
 * frame is a caller of frame is not (this runs inside a callback of its
 * C function): those go to the profile function, which schedules the
 * pending call again when the callback returns.  Without one (an audit
 * hook refused it) they are released: protection ends early, nothing
 * leaks. */
OLDBUFFER_INLINE void
oldbuffer_main_thread_settle(PyThreadState *ts, PyFrameObject *frame)
{
    oldbuffer_main_thread_state *m = oldbuffer_main_thread();
    oldbuffer_pin *pin, *todo, *kept = OLDBUFFER_NULL;
    oldbuffer_profile_list *pins;

    /* The list taken whole first: a release hook may run Python code
     * that pins again, into a new list with a pending call of its own
     * (taking those here too could loop for ever). */
    todo = m->first;
    m->first = OLDBUFFER_NULL;
    while ((pin = todo) != OLDBUFFER_NULL) {
        todo = pin->next;
        if (frame != OLDBUFFER_NULL && pin->frame != frame
            && oldbuffer_frame_on_stack(pin->frame, frame)) {
            /* (Its instruction is the call's, for the profile events.) */
            pin->lasti = oldbuffer_frame_lasti(pin->frame);
            pin->next = kept;
            kept = pin;
        }
        else {
            oldbuffer_pin_release_record(pin, 1);
        }
    }
    if (kept == OLDBUFFER_NULL) {
        return;
    }
    pins = oldbuffer_profile_list_of(ts);
    if (pins == OLDBUFFER_NULL) {
        pins = oldbuffer_profile_install(ts);
    }
    while ((pin = kept) != OLDBUFFER_NULL) {
        kept = pin->next;
        if (pins == OLDBUFFER_NULL) {
            oldbuffer_pin_release(pin);
        }
        else {
            pin->next = pins->first;
            pins->first = pin;
        }
    }
}

/* The main thread's spare records freed, and the main thread forgotten
 * (the pins themselves are the caller's to release or drop). */
OLDBUFFER_INLINE void
oldbuffer_main_thread_reset(oldbuffer_main_thread_state *m)
{
    oldbuffer_pin *pin;

    while ((pin = m->spare) != OLDBUFFER_NULL) {
        m->spare = pin->next;
        PyMem_RawFree(pin);
    }
    m->spares = 0;
    m->identified = 0;
    m->atexit_registered = 0;
    *oldbuffer_pending_call_scheduled() = 0;
}

/* Py_AtExit, at the very end of Py_FinalizeEx: what the main thread's
 * state holds belongs to the finalised runtime.  Pins left (taken after
 * the atexit function, by code that ran later in finalisation) are
 * dropped, their objects not touched: they are gone with their
 * interpreter.  The next Py_Initialize starts afresh. */
OLDBUFFER_INLINE void
oldbuffer_main_thread_forget(void)
{
    oldbuffer_main_thread_state *m = oldbuffer_main_thread();
    oldbuffer_pin *pin;

    while ((pin = m->first) != OLDBUFFER_NULL) {
        m->first = pin->next;
        PyMem_RawFree(pin);
    }
    oldbuffer_main_thread_reset(m);
    m->py_atexit_registered = 0;
    m->pending_call_refused = 0;
}

/* From the pending call: the thread it runs in is the main thread, if
 * this is the main interpreter (3.9 - 3.11 run a subinterpreter's
 * pending calls in it too) and the state can be forgotten at the end of
 * Py_FinalizeEx (Py_AtExit, once per runtime; with its 32 slots full,
 * the main thread stays unknown: its pins go the profile function's
 * way). */
OLDBUFFER_INLINE void
oldbuffer_main_thread_identify(oldbuffer_main_thread_state *m, PyThreadState *ts)
{
    if (oldbuffer_interp_of(ts) != oldbuffer_main_interp()) {
        return;
    }
    if (!m->py_atexit_registered) {
        m->py_atexit_registered = Py_AtExit(oldbuffer_main_thread_forget) == 0;
        if (!m->py_atexit_registered) {
            return;
        }
    }
    m->ident = oldbuffer_thread_ident();
    m->interp = oldbuffer_interp_of(ts);
    m->identified = 1;
}

OLDBUFFER_INLINE int
oldbuffer_pending_call(void *unused)
{
    PyThreadState *ts = PyThreadState_Get();
    oldbuffer_main_thread_state *m = oldbuffer_main_thread();
    oldbuffer_profile_list *pins;
    PyFrameObject *frame;
    PyObject *capsule;
    oldbuffer_stash stash;

    (void)unused;
    *oldbuffer_pending_call_scheduled() = 0;
    if (!m->identified) {
        oldbuffer_main_thread_identify(m, ts);
    }
    frame = PyEval_GetFrame();
    if (m->first != OLDBUFFER_NULL) {
        /* (A failed frame lookup or profile install must not leave an
         * exception behind a pending call that reports success.) */
        OLDBUFFER_STASH(stash);
        oldbuffer_main_thread_settle(ts, frame);
        if (PyErr_Occurred()) {
            PyErr_WriteUnraisable(OLDBUFFER_NULL);
        }
        OLDBUFFER_UNSTASH(stash);
    }
    pins = oldbuffer_profile_list_of(ts);
    if (pins == OLDBUFFER_NULL || frame == OLDBUFFER_NULL) {
        return 0;
    }
    /* Held across the releases: a release hook may run Python code that
     * replaces the profile function (or has it removed), which drops
     * the thread's reference. */
    capsule = ts->c_profileobj;
    Py_INCREF(capsule);
    oldbuffer_release_frame_pins(pins, frame, 1);
    if (pins->first == OLDBUFFER_NULL) {
        oldbuffer_profile_uninstall(capsule, pins);
    }
    Py_DECREF(capsule);
    return 0;
}

OLDBUFFER_INLINE void
oldbuffer_schedule_pending_call(void)
{
    int *scheduled = oldbuffer_pending_call_scheduled();

    /* Only from the main interpreter.  On 3.9 - 3.11 a subinterpreter's
     * pending call goes to its own queue, which only the main thread
     * runs: from a subinterpreter in another thread it would never run,
     * and the flag, shared, would say "scheduled" for good; on 3.12+ a
     * subinterpreter's thread may run beside the main one (its own GIL),
     * so it must not even read the flag.  Pins taken in a
     * subinterpreter are ended by the profile events.  (A refusal
     * -- a full queue, or Python finalising -- raises nothing: the
     * profile events still end the pins, later.  3.8 prints a
     * SystemError when it refuses because Python is finalising: there a
     * refusal stops the scheduling until Python is initialised again,
     * so that it prints once.) */
    if (oldbuffer_interp_of(PyThreadState_Get()) != oldbuffer_main_interp()
        || *scheduled) {
        return;
    }
#if PY_VERSION_HEX >= 0x03080000 && PY_VERSION_HEX < 0x03090000
    if (oldbuffer_main_thread()->pending_call_refused) {
        return;
    }
#endif
    if (Py_AddPendingCall(oldbuffer_pending_call, OLDBUFFER_NULL) == 0) {
        *scheduled = 1;
    }
#if PY_VERSION_HEX >= 0x03080000 && PY_VERSION_HEX < 0x03090000
    else {
        oldbuffer_main_thread()->pending_call_refused = 1;
    }
#endif
}

/* This thread's number of pins of this translation unit (for tests). */
OLDBUFFER_INLINE Py_ssize_t
OldBuffer_PinCount(void)
{
    PyThreadState *ts = PyThreadState_Get();
    oldbuffer_profile_list *pins = oldbuffer_profile_list_of(ts);
    oldbuffer_pin *pin;
    Py_ssize_t n = 0;

    for (pin = pins ? pins->first : OLDBUFFER_NULL; pin; pin = pin->next) {
        n++;
    }
    if (oldbuffer_is_main_thread(ts)) {
        for (pin = oldbuffer_main_thread()->first; pin; pin = pin->next) {
            n++;
        }
    }
    return n;
}

/* atexit: the main thread's pins released while the interpreter still
 * runs, and the main thread forgotten (an embedding application may
 * initialise Python again). */
OLDBUFFER_INLINE PyObject *
oldbuffer_main_thread_atexit(PyObject *self, PyObject *unused)
{
    oldbuffer_main_thread_state *m = oldbuffer_main_thread();

    (void)self;
    (void)unused;
    oldbuffer_release_all_pins(&m->first);
    oldbuffer_main_thread_reset(m);
    Py_INCREF(Py_None);
    return Py_None;
}

OLDBUFFER_INLINE void
oldbuffer_main_thread_register_atexit(oldbuffer_main_thread_state *m)
{
    static PyMethodDef def = {
        "oldbuffer_release_pins", oldbuffer_main_thread_atexit, METH_NOARGS,
        "Release the main thread's pins of one extension (oldbuffer.h)."
    };
    PyObject *func = PyCFunction_New(&def, OLDBUFFER_NULL);
    PyObject *atexit = PyImport_ImportModule("atexit");
    PyObject *res = OLDBUFFER_NULL;

    if (func != OLDBUFFER_NULL && atexit != OLDBUFFER_NULL) {
        res = PyObject_CallMethod(atexit, "register", "O", func);
    }
    Py_XDECREF(func);
    Py_XDECREF(atexit);
    if (res == OLDBUFFER_NULL) {
        /* Then pins left at exit stay with the ending interpreter. */
        PyErr_Clear();
        return;
    }
    Py_DECREF(res);
    m->atexit_registered = 1;
}

/* Is obj pinned in frame already?  Then its first export holds the
 * memory and covers this later call too (a C loop does not grow the
 * lists).  The main thread's list first: its frames run in that thread
 * only.  A pin in the profile list moves to the frame's instruction. */
OLDBUFFER_INLINE int
oldbuffer_pin_exists(PyObject *obj, PyFrameObject *frame, PyThreadState *ts,
                     int main_thread)
{
    oldbuffer_main_thread_state *m = oldbuffer_main_thread();
    oldbuffer_profile_list *pins = oldbuffer_profile_list_of(ts);
    oldbuffer_pin *pin;

    if (main_thread) {
        for (pin = m->first; pin; pin = pin->next) {
            if (pin->obj == obj && pin->frame == frame) {
                return 1;
            }
        }
    }
    for (pin = pins ? pins->first : OLDBUFFER_NULL; pin; pin = pin->next) {
        if (pin->obj == obj && pin->frame == frame) {
            pin->lasti = oldbuffer_frame_lasti(frame);
            return 1;
        }
    }
    return 0;
}

/* A record for a new pin: a spare one in the main thread, else a new
 * one.  NULL with MemoryError. */
OLDBUFFER_INLINE oldbuffer_pin *
oldbuffer_pin_record_new(int main_thread)
{
    oldbuffer_main_thread_state *m = oldbuffer_main_thread();
    oldbuffer_pin *pin;

    if (main_thread && m->spare != OLDBUFFER_NULL) {
        pin = m->spare;
        m->spare = pin->next;
        m->spares--;
        return pin;
    }
    pin = OLDBUFFER_CAST(oldbuffer_pin *, PyMem_RawMalloc(sizeof *pin));
    if (pin == OLDBUFFER_NULL) {
        PyErr_NoMemory();
    }
    return pin;
}

/* A second export of obj into pin->view, kept when the call is
 * hazardous and the export gives the call's memory (buf): 1; else 0,
 * nothing kept.  An exporter that hands out other memory at each export
 * gets no protection from a second one. */
OLDBUFFER_INLINE int
oldbuffer_pin_take_export(oldbuffer_pin *pin, PyObject *obj, const void *buf,
                          int call)
{
    int flags = call == OLDBUFFER_CALL_WRITE ? PyBUF_WRITABLE : PyBUF_SIMPLE;

    if (!oldbuffer_probe_hazard(obj, flags, &pin->view)) {
        return 0;
    }
    if (pin->view.buf != buf) {
        PyBuffer_Release(&pin->view);
        PyErr_Clear();   /* (as in oldbuffer_probe_hazard) */
        return 0;
    }
    return 1;
}

/* The list a new pin of this thread goes to: the main thread's own
 * (*in_main set) if no profile function of ours is on there and the
 * pending call is scheduled (a full queue refuses); else the thread's
 * profile list, installed if needed.  Asked after the export: that may
 * have run Python code (a PEP 688 __buffer__) that replaced the profile
 * function, and the list with it.  NULL when no profile function could
 * be installed (with an exception, or none if it was refused). */
OLDBUFFER_INLINE oldbuffer_pin **
oldbuffer_pin_list_for(PyThreadState *ts, int main_thread, int *in_main)
{
    oldbuffer_main_thread_state *m = oldbuffer_main_thread();
    oldbuffer_profile_list *pins = oldbuffer_profile_list_of(ts);

    *in_main = pins == OLDBUFFER_NULL && main_thread;
    if (*in_main && !m->atexit_registered) {
        /* (Before scheduling: this runs Python code, the import, and so
         * pending calls.) */
        oldbuffer_main_thread_register_atexit(m);
    }
    if (*in_main) {
        oldbuffer_schedule_pending_call();
        *in_main = *oldbuffer_pending_call_scheduled();
    }
    if (*in_main) {
        return &m->first;
    }
    if (pins == OLDBUFFER_NULL) {
        pins = oldbuffer_profile_install(ts);
        if (pins == OLDBUFFER_NULL) {
            return OLDBUFFER_NULL;
        }
    }
    oldbuffer_schedule_pending_call();
    return &pins->first;
}

/* Keep an export of obj, whose successful call handed out buf, until the
 * C function that made the call has returned (docs/lifetime-safe.md).
 * Never bytes: oldbuffer_modes_call() does not pin it.  0, or -1 with an
 * exception (no memory). */
OLDBUFFER_INLINE int
oldbuffer_pin_export(PyObject *obj, const void *buf, int call)
{
    PyFrameObject *frame = PyEval_GetFrame();
    PyThreadState *ts;
    oldbuffer_pin *pin, **first;
    int main_thread, in_main;

    if (frame == OLDBUFFER_NULL) {
        return 0;   /* called from C with no Python frame: nothing to
                       wait for, released at once as by default */
    }
    ts = PyThreadState_Get();
    /* (A thread and its interpreter stay what they are during the
     * call: asked once.) */
    main_thread = oldbuffer_is_main_thread(ts);
    if (oldbuffer_pin_exists(obj, frame, ts, main_thread)
        || PyErr_Occurred()) {
        return 0;   /* (with an exception set no export can be taken) */
    }
    pin = oldbuffer_pin_record_new(main_thread);
    if (pin == OLDBUFFER_NULL) {
        return -1;
    }
    if (!oldbuffer_pin_take_export(pin, obj, buf, call)) {
        PyMem_RawFree(pin);
        return 0;
    }
    first = oldbuffer_pin_list_for(ts, main_thread, &in_main);
    if (first == OLDBUFFER_NULL) {
        PyBuffer_Release(&pin->view);
        PyMem_RawFree(pin);
        return PyErr_Occurred() ? -1 : 0;
    }
    Py_INCREF(obj);
    pin->obj = obj;
    Py_INCREF(OLDBUFFER_CAST(PyObject *, frame));
    pin->frame = frame;
    pin->lasti = in_main ? 0 : oldbuffer_frame_lasti(frame);
    pin->next = *first;
    *first = pin;
    return 0;
}

#endif /* OLDBUFFER_LIFETIME_H */
