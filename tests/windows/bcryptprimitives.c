/* Test-only stand-in for Windows' bcryptprimitives.dll, which Wine 8 lacks: Rust's standard
 * library (1.78 and later) takes its random numbers from ProcessPrng, exported by that DLL on
 * Windows 10 and later. This one fills the buffer with RtlGenRandom (advapi32's
 * SystemFunction036), which Wine has. Built by tests/windows/run.sh; never shipped in dist/. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
