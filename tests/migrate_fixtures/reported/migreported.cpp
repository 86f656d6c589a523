// migreported.cpp -- C++ that spatch 1.1 cannot parse (a static_cast to a
// pointer type): tools/oldbuffer-migrate leaves the function as it is and
// reports it.  It builds with `-include oldbuffer.h`, before and after.
#include <Python.h>

unsigned long migreported_cxx_sum(PyObject *obj);

unsigned long
migreported_cxx_sum(PyObject *obj)
{
    const void *buf;
    Py_ssize_t len;
    unsigned long total = 0;

    if (PyObject_AsReadBuffer(obj, &buf, &len) < 0) {
        return 0;
    }
    const unsigned char *p = static_cast<const unsigned char *>(buf);
    for (Py_ssize_t i = 0; i < len; i++) {
        total += p[i];
    }
    return total;
}
