/*
 * lazydcm.io._scanfast: the scanner's inner loop over plain elements, in C.
 *
 * An optional accelerator for lazydcm.io.scanner._scan. It reads element headers from `pos`
 * while each one is plain: not an item or delimiter (group FFFE), a defined length, a known VR
 * (explicit syntaxes), a tag below `stop_tag`, not an all-zero header, and a value that ends
 * within `stop`. It returns the offset of the first element that is not plain (or `stop`) and
 * the records it read as packed bytes; the Python scanner handles that element (and every
 * error) and calls back. It never raises on bad bytes: it only stops early.
 *
 * Header forms: PS3.5 7.1.1-7.1.3 (explicit VR with 16-bit length, or with two reserved
 * bytes and a 32-bit length for the VRs of Table 7.1-1; implicit VR with a 32-bit length).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

static int known_vr(const unsigned char *v, int *long_length)
{
    /* PS3.5 Table 6.2-1 (34 VRs); *long_length per PS3.5 7.1.2. */
    static const char *short_vrs[] = {"AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD",
                                      "IS", "LO", "LT", "PN", "SH", "SL", "SS", "ST", "TM",
                                      "UI", "UL", "US", NULL};
    static const char *long_vrs[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC",
                                     "UN", "UR", "UT", "UV", NULL};
    int i;
    for (i = 0; short_vrs[i]; i++) {
        if (v[0] == (unsigned char)short_vrs[i][0] && v[1] == (unsigned char)short_vrs[i][1]) {
            *long_length = 0;
            return 1;
        }
    }
    for (i = 0; long_vrs[i]; i++) {
        if (v[0] == (unsigned char)long_vrs[i][0] && v[1] == (unsigned char)long_vrs[i][1]) {
            *long_length = 1;
            return 1;
        }
    }
    return 0;
}

static inline uint32_t u16(const unsigned char *p, int little)
{
    return little ? (uint32_t)p[0] | ((uint32_t)p[1] << 8) : ((uint32_t)p[0] << 8) | p[1];
}

static inline uint32_t u32(const unsigned char *p, int little)
{
    return little ? (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24)
                  : ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* scan_plain(buf, pos, stop, implicit_vr, little_endian, stop_tag)
 *   -> (new_pos, tags: bytes (uint32 native), vrs: bytes (2 each), nums: bytes (4 x int64)) */
static PyObject *scan_plain(PyObject *self, PyObject *args)
{
    Py_buffer view;
    Py_ssize_t pos, stop;
    int implicit_vr, little;
    long long stop_tag;
    if (!PyArg_ParseTuple(args, "y*nnppL", &view, &pos, &stop, &implicit_vr, &little, &stop_tag))
        return NULL;
    if (pos < 0 || stop > view.len || pos > stop) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError, "scan range outside the buffer");
        return NULL;
    }
    const unsigned char *b = (const unsigned char *)view.buf;
    Py_ssize_t cap = 64, n = 0;
    uint32_t *tags = PyMem_Malloc(cap * sizeof(uint32_t));
    unsigned char *vrs = PyMem_Malloc(cap * 2);
    int64_t *nums = PyMem_Malloc(cap * 4 * sizeof(int64_t));
    if (!tags || !vrs || !nums) {
        PyMem_Free(tags); PyMem_Free(vrs); PyMem_Free(nums);
        PyBuffer_Release(&view);
        return PyErr_NoMemory();
    }
    while (pos + 8 <= stop) {
        const unsigned char *h = b + pos;
        uint32_t group = u16(h, little), elem = u16(h + 2, little);
        uint32_t tag = (group << 16) | elem;
        Py_ssize_t value_offset;
        uint64_t length;
        unsigned char vr0 = 0, vr1 = 0;
        if (group == 0xFFFE || (long long)tag >= stop_tag)
            break;
        if (implicit_vr) {
            length = u32(h + 4, little);
            value_offset = pos + 8;
        } else {
            int long_length;
            if (!known_vr(h + 4, &long_length))
                break;
            vr0 = h[4]; vr1 = h[5];
            if (long_length) {
                if (pos + 12 > stop)
                    break;
                length = u32(h + 8, little);
                value_offset = pos + 12;
            } else {
                length = u16(h + 6, little);
                value_offset = pos + 8;
            }
        }
        if (length == 0xFFFFFFFFu || (tag == 0 && length == 0))
            break;
        if ((uint64_t)value_offset + length > (uint64_t)stop)
            break;
        if (n == cap) {
            cap *= 2;
            uint32_t *t2 = PyMem_Realloc(tags, cap * sizeof(uint32_t));
            if (t2) tags = t2;
            unsigned char *v2 = PyMem_Realloc(vrs, cap * 2);
            if (v2) vrs = v2;
            int64_t *n2 = PyMem_Realloc(nums, cap * 4 * sizeof(int64_t));
            if (n2) nums = n2;
            if (!t2 || !v2 || !n2) {
                PyMem_Free(tags); PyMem_Free(vrs); PyMem_Free(nums);
                PyBuffer_Release(&view);
                return PyErr_NoMemory();
            }
        }
        tags[n] = tag;
        vrs[2 * n] = vr0;
        vrs[2 * n + 1] = vr1;
        nums[4 * n] = pos;
        nums[4 * n + 1] = value_offset;
        nums[4 * n + 2] = (int64_t)length;
        nums[4 * n + 3] = value_offset + (Py_ssize_t)length;
        n++;
        pos = value_offset + (Py_ssize_t)length;
    }
    PyBuffer_Release(&view);
    PyObject *result = Py_BuildValue("ny#y#y#", pos, (const char *)tags, n * (Py_ssize_t)sizeof(uint32_t),
                                     (const char *)vrs, n * 2, (const char *)nums,
                                     n * 4 * (Py_ssize_t)sizeof(int64_t));
    PyMem_Free(tags); PyMem_Free(vrs); PyMem_Free(nums);
    return result;
}

static PyMethodDef methods[] = {
    {"scan_plain", scan_plain, METH_VARARGS,
     "scan_plain(buf, pos, stop, implicit_vr, little_endian, stop_tag) -> "
     "(pos, tags, vrs, nums): plain element records from pos; stops before anything else."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_scanfast",
                                    "C inner loop of lazydcm's scanner (optional).", -1, methods};

PyMODINIT_FUNC PyInit__scanfast(void) { return PyModule_Create(&module); }
