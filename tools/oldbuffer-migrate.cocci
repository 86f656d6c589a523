// oldbuffer-migrate.cocci -- rewrite old-buffer calls to Py_buffer.
//
// A Coccinelle semantic patch (spatch 1.1+).  Use it through
// tools/oldbuffer-migrate, which runs it until a pass changes nothing,
// defines the two helpers it names, drops the releases it appended after a
// final return, and lists what is left; or alone, for the diff of one pass:
//
//     spatch --sp-file tools/oldbuffer-migrate.cocci src/blob.c
//
// What it rewrites, per call site:
//   if (PyObject_AsReadBuffer(obj, &ptr, &len) < 0) EXIT
// (AsCharBuffer the same; the test < 0, == -1, != 0 or the bare call; EXIT
// a return or a goto, or a block ending in one) becomes
//   if (PyObject_GetBuffer(obj, &ptr_view, PyBUF_SIMPLE) < 0) EXIT
//   ptr = (T)ptr_view.buf;          T: the declared type of ptr
//   len = ptr_view.len;
// and PyBuffer_Release(&ptr_view) goes before every way out after the
// export.  The error branch stays as it was: it runs without an export.
// AsWriteBuffer becomes migrated_get_writable_buffer(obj, &ptr_view)
// (PyBUF_WRITABLE, and the TypeError of the old call), CheckReadBuffer
// becomes migrated_check_read_buffer(obj) (an export tried, released, its
// error cleared); the command defines both once per file.
//
// Two rewriting rules, tried in this order:
// * migrate_exits: every path from the export ends in a return, a goto or
//   a Py_RETURN_* macro (spatch does not expand those): the release goes
//   before each, the view is declared at the top of the function.  A goto
//   ends the path, so a cleanup label shared with the error branch gets
//   no release.
// * migrate_block: the block that declares the pointer also ends without
//   a jump (a loop body, a void function): releases before return, break,
//   continue and at the end of that block, the view declared at its top.
//   No goto there: its label could be in the block.
// Both need every path from the start of the function (or block) to pass
// the export, so a conditional export does not match and is reported.
// One export per pass: when != the other old calls keeps two exports from
// adding releases at one place in the same pass; the command runs the
// patch again until nothing changes, the last export first.
//
// Before them, rules that only look (positions of this pass) note why a
// site must be left: the pointer or length not a plain variable, the
// result not the test of an if, an error branch that does not leave, the
// pointer stored, returned, copied into a return value, read after a goto,
// exported into twice or reassigned, a loop after the export with its own
// break or continue, a switch or do-while in the function, the call in a
// loop with the pointer declared outside it.  A return computed from the
// pointer in a function returning PyObject * is first put in a variable
// (rule result_first, a neutral rewrite) and the next pass goes on.
// Reports go to stderr, one line per call left: file:line: not
// rewritten: name: reason.  Their positions are exact in a pass that
// changes nothing, the last one the command runs.
//
// (spatch reads quotes in comments here as literals: none below.)

@initialize:python@
@@
import re
import sys

SWITCHY = set() # (file, function) with a switch or a do-while

CALLS = {}       # position -> call name, every old call seen
PLAIN = set()    # pointer and length are &identifier
TESTED = set()   # the call is the test of an if
EXITS = set()    # ... and the branch of the if leaves (return, goto)
REASON = {}      # position -> why it is left as it is
INLOOP = set()   # the call is in a for or while body


def key(p):
    return (p[0].file, int(p[0].line), int(p[0].column))


def note(p, why):
    REASON.setdefault(key(p), why)


def rewritable(p):
    k = key(p)
    if (p[0].file, p[0].current_element) in SWITCHY:
        note(p, "the function has a switch or a do-while, whose break or "
                "continue the rewrite cannot place: rewrite it by hand")
    return k in EXITS and k not in REASON


@calls@
// ---------------------------------------------------------------------
// What is there, before anything changes (positions of this pass).
position p;
identifier fn = {PyObject_AsReadBuffer, PyObject_AsCharBuffer,
                 PyObject_AsWriteBuffer};
@@
fn@p(...)

@script:python@
p << calls.p;
fn << calls.fn;
@@
CALLS[key(p)] = fn

@plain@
position p;
identifier fn = {PyObject_AsReadBuffer, PyObject_AsCharBuffer,
                 PyObject_AsWriteBuffer};
identifier ptr, n;
expression obj;
@@
fn@p(obj, &ptr, &n)

@script:python@
p << plain.p;
@@
PLAIN.add(key(p))

@tested@
position p;
identifier fn = {PyObject_AsReadBuffer, PyObject_AsCharBuffer,
                 PyObject_AsWriteBuffer};
statement S;
@@
if (\(fn@p(...) < 0\|fn@p(...) == -1\|fn@p(...) != 0\|fn@p(...)\)) S

@script:python@
p << tested.p;
@@
TESTED.add(key(p))

@exits_return@
position p;
identifier fn = {PyObject_AsReadBuffer, PyObject_AsCharBuffer,
                 PyObject_AsWriteBuffer};
@@
if (\(fn@p(...) < 0\|fn@p(...) == -1\|fn@p(...) != 0\|fn@p(...)\))
{ ... return ...; }

@script:python@
p << exits_return.p;
@@
EXITS.add(key(p))

@exits_goto@
position p;
identifier fn = {PyObject_AsReadBuffer, PyObject_AsCharBuffer,
                 PyObject_AsWriteBuffer};
identifier l;
@@
if (\(fn@p(...) < 0\|fn@p(...) == -1\|fn@p(...) != 0\|fn@p(...)\))
{ ... goto l; }

@script:python@
p << exits_goto.p;
@@
EXITS.add(key(p))

@stored exists@
// The pointer kept where it outlives the export: a field, an array, an
// out-parameter.
position p;
identifier fn = {PyObject_AsReadBuffer, PyObject_AsCharBuffer,
                 PyObject_AsWriteBuffer};
identifier ptr, n, fld;
expression obj, E, E2, E3;
type T2;
statement S;
@@
if (<+... fn@p(obj, &ptr, &n) ...+>) S
... when any
\(E->fld\|E.fld\|*E\|E[E2]\) =
\(ptr\|(T2)ptr\|ptr + E3\|(T2)ptr + E3\|&ptr[E3]\|&((T2)ptr)[E3]\);

@script:python@
p << stored.p;
@@
note(p, "the pointer is stored where it outlives the call (a field, an "
        "array or through a pointer): keep the Py_buffer there and "
        "release it with its owner")

@returned exists@
// The pointer returned (or a value made from it, in a function that does
// not return PyObject *: rule result_first handles those that do).
position p;
identifier fn = {PyObject_AsReadBuffer, PyObject_AsCharBuffer,
                 PyObject_AsWriteBuffer};
identifier ptr, n;
expression obj;
statement S;
@@
if (<+... fn@p(obj, &ptr, &n) ...+>) S
... when any
return <+... ptr ...+>;

@script:python@
p << returned.p;
@@
note(p, "the pointer, or a value computed from it, is returned: the "
        "export would have to outlive the function")

@gotouse exists@
// A goto after the export to code that still uses the pointer: the
// release before the goto would leave it dangling there.
position p;
identifier fn = {PyObject_AsReadBuffer, PyObject_AsCharBuffer,
                 PyObject_AsWriteBuffer};
identifier ptr, n, l;
expression obj;
statement S;
@@
if (<+... fn@p(obj, &ptr, &n) ...+>) S
... when any
goto l;
... when any
ptr

@script:python@
p << gotouse.p;
@@
note(p, "a goto after the export leads to code that uses the pointer: "
        "the release cannot go before the goto")

@aliasret exists@
// A copy of the pointer (or of a place in its memory) returned.
position p;
identifier fn = {PyObject_AsReadBuffer, PyObject_AsCharBuffer,
                 PyObject_AsWriteBuffer};
identifier ptr, n, x;
expression obj, E3;
type T2;
statement S;
@@
if (<+... fn@p(obj, &ptr, &n) ...+>) S
... when any
x = \(ptr\|(T2)ptr\|ptr + E3\|(T2)ptr + E3\|&ptr[E3]\|&((T2)ptr)[E3]\);
... when any
return <+... x ...+>;

@script:python@
p << aliasret.p;
@@
note(p, "a copy of the pointer is used in a return expression, after "
        "the release would be: compute the result into a variable first")

@reexport exists@
// Two exports into one pointer: one view name for both, and the first
// export would be overwritten before its release.  Both are left.
position p1, p2;
identifier fn = {PyObject_AsReadBuffer, PyObject_AsCharBuffer,
                 PyObject_AsWriteBuffer};
identifier fn2 = {PyObject_AsReadBuffer, PyObject_AsCharBuffer,
                  PyObject_AsWriteBuffer};
identifier ptr;
expression obj, obj2, n, n2;
@@
fn@p1(obj, &ptr, n)
... when any
fn2@p2(obj2, &ptr, n2)

@script:python@
p1 << reexport.p1;
p2 << reexport.p2;
@@
if key(p1) != key(p2):
    for p in (p1, p2):
        note(p, "two exports into the same pointer: give each its own "
                "pointer variable")

@reassigned exists@
// The pointer assigned again after the export (it may then point
// elsewhere: the rewrite keeps one view per pointer).
position p;
identifier fn = {PyObject_AsReadBuffer, PyObject_AsCharBuffer,
                 PyObject_AsWriteBuffer};
identifier ptr, n;
expression obj, E;
statement S;
@@
if (<+... fn@p(obj, &ptr, &n) ...+>) S
... when any
ptr = E

@script:python@
p << reassigned.p;
@@
note(p, "the pointer is assigned again after the export")

@innerjump exists@
// After the export, a loop with its own break or continue: the rewrite
// would take them for exits of the pointer block (a loop that starts
// before the call, the one holding it, is not meant).
position p, pl;
identifier fn = {PyObject_AsReadBuffer, PyObject_AsCharBuffer,
                 PyObject_AsWriteBuffer};
expression list es;
statement S, S1;
expression E1;
@@
if (<+... fn@p(es) ...+>) S
... when any
(
for@pl (...;...;...) S1
|
while@pl (E1) S1
)

@script:python@
p << innerjump.p;
pl << innerjump.pl;
S1 << innerjump.S1;
@@
if (int(pl[0].line), int(pl[0].column)) > key(p)[1:] \
        and re.search(r"\b(break|continue)\b", S1):
    note(p, "a loop after the export breaks or continues on its own: "
            "place the releases by hand")

@fbody@
// switch and do-while cannot be told apart by position here: a function
// with either is left to the reader.
identifier f;
statement list SL;
position pf;
@@
f@pf(...) { SL }

@script:python@
f << fbody.f;
SL << fbody.SL;
pf << fbody.pf;
@@
if re.search(r"\b(switch|do)\b", SL):
    SWITCHY.add((pf[0].file, f))

@inloop@
// A call in a loop whose pointer is declared outside the loop body: one
// export per iteration, reassigned, the block never left.
position p;
identifier fn = {PyObject_AsReadBuffer, PyObject_AsCharBuffer,
                 PyObject_AsWriteBuffer};
expression list es;
expression E1, E2, E3;
@@
(
for (E1; E2; E3) { <+... fn@p(es) ...+> }
|
while (E1) { <+... fn@p(es) ...+> }
)

@script:python@
p << inloop.p;
@@
INLOOP.add(key(p))


@migrate_exits@
// Every path from the export ends in a return or a goto: the release goes
// before each (a goto ends the path: the label it leads to is not
// visited again).  The view is declared at the top of the function, the
// cast uses the type of the pointer (rule pointer_type).
expression obj;
identifier ptr, n, l;
fresh identifier view = ptr ## "_view";
// CPython's statement macros that return: not expanded by spatch.
identifier pyret = {Py_RETURN_NONE, Py_RETURN_TRUE, Py_RETURN_FALSE,
                    Py_RETURN_NOTIMPLEMENTED};
statement S;
position p : script:python() { rewritable(p) };
identifier f;
typedef Py_buffer;
@@
f(...) {
+ Py_buffer view;
  ... when any
  if (<+...
(
- PyObject_AsReadBuffer@p(obj, &ptr, &n)
+ PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE)
|
- PyObject_AsCharBuffer@p(obj, &ptr, &n)
+ PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE)
|
- PyObject_AsWriteBuffer@p(obj, &ptr, &n)
+ migrated_get_writable_buffer(obj, &view)
)
  ...+>) S
+ ptr = view.buf;
+ n = view.len;
  ... when != PyObject_AsReadBuffer(...)
      when != PyObject_AsCharBuffer(...)
      when != PyObject_AsWriteBuffer(...)
(
+ PyBuffer_Release(&view);
  return ...;
|
+ PyBuffer_Release(&view);
  goto l;
|
+ PyBuffer_Release(&view);
  pyret;
)
  ... when any
}

@script:python@
p << migrate_exits.p;
@@
CALLS.pop(key(p), None)

@migrate_exits_cast@
identifier migrate_exits.view, migrate_exits.ptr;
type T;
@@
  T ptr;
  ... when any
  ptr =
- view.buf
+ (T)view.buf
  ;

@migrate_block@
// The block of the pointer ends without a return on some path (a loop
// body, a void function): releases before return, break and continue
// and at the end of the block; no goto (its label may be in the block).
// ---------------------------------------------------------------------
// The rewrite: one export per block and pass.
expression obj;
identifier ptr, n, l, l2;
fresh identifier view = ptr ## "_view";
// CPython's statement macros that return: not expanded by spatch.
identifier pyret = {Py_RETURN_NONE, Py_RETURN_TRUE, Py_RETURN_FALSE,
                    Py_RETURN_NOTIMPLEMENTED};
type T;
statement S;
typedef Py_buffer;
position p : script:python() { rewritable(p) };
@@
{
+ Py_buffer view;
  ... when any
  T ptr;
  ... when any
  if (<+...
(
- PyObject_AsReadBuffer@p(obj, &ptr, &n)
+ PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE)
|
- PyObject_AsCharBuffer@p(obj, &ptr, &n)
+ PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE)
|
- PyObject_AsWriteBuffer@p(obj, &ptr, &n)
+ migrated_get_writable_buffer(obj, &view)
)
  ...+>) S
+ ptr = (T)view.buf;
+ n = view.len;
  <... when != goto l2;
       when != PyObject_AsReadBuffer(...)
       when != PyObject_AsCharBuffer(...)
       when != PyObject_AsWriteBuffer(...)
(
+ PyBuffer_Release(&view);
  return ...;
|
+ PyBuffer_Release(&view);
  goto l;
|
+ PyBuffer_Release(&view);
  break;
|
+ PyBuffer_Release(&view);
  continue;
|
+ PyBuffer_Release(&view);
  pyret;
)
  ...>
+ PyBuffer_Release(&view);
}

@script:python@
p << migrate_block.p;
@@
CALLS.pop(key(p), None)

@result_first exists@
// A return computed from the pointer, in a function returning PyObject *:
// the value first, so that the next pass releases before return v;.
identifier f, ptr, n;
identifier fn = {PyObject_AsReadBuffer, PyObject_AsCharBuffer,
                 PyObject_AsWriteBuffer};
expression obj, E;
fresh identifier res = ptr ## "_result";
statement S;
typedef PyObject;
@@
PyObject *f(...) {
  ... when any
  if (<+... fn(obj, &ptr, &n) ...+>) S
  ... when any
- return \(E \& <+... ptr ...+>\);
+ {
+     PyObject *res = E;
+     return res;
+ }
}

@check@
// CheckReadBuffer: no export is kept, any expression will do.
expression E;
@@
- PyObject_CheckReadBuffer(E)
+ migrated_check_read_buffer(E)


@finalize:python@
@@
# What is left, with the first reason that applies.
for k in sorted(CALLS):
    name = CALLS[k]
    if k not in PLAIN:
        why = ("the pointer or the length is not a plain variable (&x): "
               "a field, an array element or an out-parameter")
    elif k not in TESTED:
        why = ("the result is not the test of an if without else (call "
               "< 0, == -1, != 0)")
    elif k not in EXITS:
        why = ("the error branch does not leave (return or goto): it "
               "would run on without an export")
    elif k in REASON:
        why = REASON[k]
    elif k in INLOOP:
        why = ("in a loop, with the pointer declared outside the loop "
               "body: declare it in the body (one export per iteration)")
    else:
        why = ("the export does not cover every path of the pointer's "
               "block (a conditional export, the pointer declared in an "
               "outer block, or another site here that is left)")
    sys.stderr.write("%s:%d: not rewritten: %s: %s\n"
                     % (k[0], k[1], name, why))

