%module modern
%{
/* bf_getreadbuffer: only named in a comment */
static const char *note = "Py_TPFLAGS_HAVE_NEWBUFFER";
%}
