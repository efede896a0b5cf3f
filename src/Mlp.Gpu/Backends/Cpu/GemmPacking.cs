using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mlp.Gpu.Backends.Cpu;

/// <summary>
/// Packs blocks of op(A) and op(B) into the panel layout the microkernels read: a block of r x kc values becomes
/// ceil(r / w) panels of kc x w floats, where step p of a panel holds its w values for that k contiguously.
/// Panels past the matrix edge are zero-padded, so the microkernel never needs an edge case inside its loop.
/// </summary>
internal static unsafe class GemmPacking
{
    /// <summary>
    /// Packs <paramref name="count"/> lines that run along the panel width: element (p, r) of the block is
    /// src[p * ld + r] (op(A) stored transposed, or op(B) stored as is). Each k step is a contiguous copy.
    /// </summary>
    public static void PackContiguous(float* src, nint ld, int count, int kc, float* dst, int width)
    {
        nint panelSize = (nint)kc * width;
        for (int r0 = 0; r0 < count; r0 += width)
        {
            int w = Math.Min(width, count - r0);
            float* s = src + r0;
            float* d = dst;
            if (w == width && width == 32 && Vector512.IsHardwareAccelerated)
            {
                for (int p = 0; p < kc; p++, s += ld, d += 32)
                {
                    Vector512.Store(Vector512.Load(s), d);
                    Vector512.Store(Vector512.Load(s + 16), d + 16);
                }
            }
            else if (w == width && width == 16 && Vector256.IsHardwareAccelerated)
            {
                for (int p = 0; p < kc; p++, s += ld, d += 16)
                {
                    Vector256.Store(Vector256.Load(s), d);
                    Vector256.Store(Vector256.Load(s + 8), d + 8);
                }
            }
            else
            {
                for (int p = 0; p < kc; p++, s += ld, d += width)
                {
                    int j = 0;
                    if (Vector256.IsHardwareAccelerated)
                    {
                        for (; j + 8 <= w; j += 8)
                            Vector256.Store(Vector256.Load(s + j), d + j);
                    }

                    for (; j < w; j++)
                        d[j] = s[j];
                    for (; j < width; j++)
                        d[j] = 0f;
                }
            }

            dst += panelSize;
        }
    }

    /// <summary>
    /// Packs <paramref name="count"/> lines that run along k: element (p, r) of the block is src[r * ld + p]
    /// (op(A) stored as is, or op(B) stored transposed). Transposes 8 x 8 (or 4 x 4) tiles in registers so both
    /// the reads and the writes stay contiguous.
    /// </summary>
    public static void PackStrided(float* src, nint ld, int count, int kc, float* dst, int width)
    {
        nint panelSize = (nint)kc * width;
        for (int r0 = 0; r0 < count; r0 += width)
        {
            int w = Math.Min(width, count - r0);
            float* s = src + r0 * ld;
            int r = 0;
            if (Avx.IsSupported)
            {
                int p8 = kc & ~7;
                for (; r + 8 <= w; r += 8)
                {
                    for (int p = 0; p < p8; p += 8)
                        Transpose8x8(s + r * ld + p, ld, dst + (nint)p * width + r, width);
                    TailColumns(s + r * ld, ld, 8, p8, kc, dst + r, width);
                }

                for (; r + 4 <= w; r += 4)
                {
                    int p4 = kc & ~3;
                    for (int p = 0; p < p4; p += 4)
                        Transpose4x4(s + r * ld + p, ld, dst + (nint)p * width + r, width);
                    TailColumns(s + r * ld, ld, 4, p4, kc, dst + r, width);
                }
            }

            // Remaining lines (and everything without AVX) go element by element; the padding lines get zeros.
            if (r < width)
            {
                for (int p = 0; p < kc; p++)
                {
                    float* d = dst + (nint)p * width;
                    int i = r;
                    for (; i < w; i++)
                        d[i] = s[i * ld + p];
                    for (; i < width; i++)
                        d[i] = 0f;
                }
            }

            dst += panelSize;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void TailColumns(float* s, nint ld, int lines, int p0, int kc, float* dst, int width)
    {
        for (int p = p0; p < kc; p++)
        {
            float* d = dst + (nint)p * width;
            for (int i = 0; i < lines; i++)
                d[i] = s[i * ld + p];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* s, nint ld, float* d, nint ldd)
    {
        Vector256<float> r0 = Avx.LoadVector256(s), r1 = Avx.LoadVector256(s + ld);
        Vector256<float> r2 = Avx.LoadVector256(s + 2 * ld), r3 = Avx.LoadVector256(s + 3 * ld);
        Vector256<float> r4 = Avx.LoadVector256(s + 4 * ld), r5 = Avx.LoadVector256(s + 5 * ld);
        Vector256<float> r6 = Avx.LoadVector256(s + 6 * ld), r7 = Avx.LoadVector256(s + 7 * ld);
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(d, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(d + ldd, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(d + 2 * ldd, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(d + 3 * ldd, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(d + 4 * ldd, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(d + 5 * ldd, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(d + 6 * ldd, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(d + 7 * ldd, Avx.Permute2x128(u3, u7, 0x31));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4x4(float* s, nint ld, float* d, nint ldd)
    {
        Vector128<float> r0 = Sse.LoadVector128(s), r1 = Sse.LoadVector128(s + ld);
        Vector128<float> r2 = Sse.LoadVector128(s + 2 * ld), r3 = Sse.LoadVector128(s + 3 * ld);
        Vector128<float> t0 = Sse.UnpackLow(r0, r1), t1 = Sse.UnpackHigh(r0, r1);
        Vector128<float> t2 = Sse.UnpackLow(r2, r3), t3 = Sse.UnpackHigh(r2, r3);
        Sse.Store(d, Sse.MoveLowToHigh(t0, t2));
        Sse.Store(d + ldd, Sse.MoveHighToLow(t2, t0));
        Sse.Store(d + 2 * ldd, Sse.MoveLowToHigh(t1, t3));
        Sse.Store(d + 3 * ldd, Sse.MoveHighToLow(t3, t1));
    }
}
