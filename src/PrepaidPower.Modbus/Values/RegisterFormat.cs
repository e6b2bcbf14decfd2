// How a value spread over one or more 16-bit registers is laid out and scaled: data, not code (a device profile carries it).
namespace PrepaidPower.Modbus;

/// <summary>Numeric type of a register value. The register count follows from it: 16-bit → 1, 32-bit → 2, 64-bit → 4.</summary>
public enum RegisterDataType
{
    UInt16,
    Int16,
    UInt32,
    Int32,
    UInt64,
    Int64,

    /// <summary>IEEE-754 single precision. Do not bill from float registers: above 100 000 kWh the step is 0.0078 kWh.</summary>
    Float32,
}

/// <summary>
/// Byte order of a multi-register value, named by where bytes A (most significant) … D land on the wire.
/// Modbus fixes only the byte order inside one register (big-endian); the order of registers is vendor-specific.
/// For 64-bit values the same two swaps apply to four registers (ABCD → ABCDEFGH, CDAB → GHEFCDAB, …).
/// </summary>
public enum WordOrder
{
    /// <summary>High word first, big-endian bytes (Eastron, Schneider PM5000, Acrel). mbpoll <c>-B</c>.</summary>
    ABCD,

    /// <summary>Low word first, big-endian bytes within each word ("word swapped"; mbpoll's default for 32-bit types).</summary>
    CDAB,

    /// <summary>High word first, bytes swapped within each word.</summary>
    BADC,

    /// <summary>Fully little-endian: low word first, bytes swapped.</summary>
    DCBA,
}

/// <summary>
/// Data type, word order and scale of one value in a device's register map, e.g. UINT32, ABCD, ×0.01 (kWh).
/// The decoded value is raw × <see cref="Scale"/> in the unit the device profile names; integer types decode exactly.
/// </summary>
public sealed record RegisterFormat
{
    /// <param name="type">Numeric type; fixes <see cref="RegisterCount"/>.</param>
    /// <param name="wordOrder">Register and byte order; irrelevant orders (CDAB on one register) are accepted and behave as ABCD.</param>
    /// <param name="scale">Multiplier from the raw number to the profile's unit, e.g. 0.01 for "×0.01 kWh". Must be positive.</param>
    public RegisterFormat(RegisterDataType type, WordOrder wordOrder = WordOrder.ABCD, decimal scale = 1m)
    {
        if (!Enum.IsDefined(type))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown register data type.");
        }

        if (!Enum.IsDefined(wordOrder))
        {
            throw new ArgumentOutOfRangeException(nameof(wordOrder), wordOrder, "Unknown word order; use ABCD, CDAB, BADC or DCBA.");
        }

        if (scale <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "Scale must be positive, e.g. 0.01 for a register in hundredths of a kWh.");
        }

        Type = type;
        WordOrder = wordOrder;
        Scale = scale;
        RegisterCount = type switch
        {
            RegisterDataType.UInt16 or RegisterDataType.Int16 => 1,
            RegisterDataType.UInt64 or RegisterDataType.Int64 => 4,
            _ => 2,
        };
    }

    public RegisterDataType Type { get; }

    public WordOrder WordOrder { get; }

    public decimal Scale { get; }

    /// <summary>Registers the value occupies: 1, 2 or 4.</summary>
    public int RegisterCount { get; }

    private bool WordsSwapped => WordOrder is WordOrder.CDAB or WordOrder.DCBA;

    private bool BytesSwapped => WordOrder is WordOrder.BADC or WordOrder.DCBA;

    /// <summary>The value's bits in canonical (ABCD) order, zero-extended to 64 bits.</summary>
    /// <exception cref="ArgumentException">Fewer than <see cref="RegisterCount"/> registers were given.</exception>
    public ulong ReadRaw(ReadOnlySpan<ushort> registers)
    {
        var n = RegisterCount;
        if (registers.Length < n)
        {
            throw new ArgumentException($"{this} needs {n} registers, got {registers.Length}.", nameof(registers));
        }

        ulong raw = 0;
        var wordsSwapped = WordsSwapped;
        var bytesSwapped = BytesSwapped;
        for (var i = 0; i < n; i++)
        {
            var word = registers[wordsSwapped ? n - 1 - i : i];
            if (bytesSwapped)
            {
                word = (ushort)((word << 8) | (word >> 8));
            }

            raw = (raw << 16) | word;
        }

        return raw;
    }

    /// <summary>Writes canonical bits <paramref name="raw"/> into <see cref="RegisterCount"/> registers in this word order.</summary>
    public void WriteRaw(ulong raw, Span<ushort> registers)
    {
        var n = RegisterCount;
        if (registers.Length < n)
        {
            throw new ArgumentException($"{this} needs {n} registers, got {registers.Length}.", nameof(registers));
        }

        for (var i = n - 1; i >= 0; i--)
        {
            var word = (ushort)raw;
            raw >>= 16;
            if (BytesSwapped)
            {
                word = (ushort)((word << 8) | (word >> 8));
            }

            registers[WordsSwapped ? n - 1 - i : i] = word;
        }
    }

    /// <summary>
    /// Decodes raw × <see cref="Scale"/>. Integer types are exact. Float32 is rounded to its 7 significant digits;
    /// NaN and infinities return false — an impossible register value is never a reading.
    /// </summary>
    public bool TryDecode(ReadOnlySpan<ushort> registers, out decimal value)
    {
        var raw = ReadRaw(registers);
        switch (Type)
        {
            case RegisterDataType.UInt16:
            case RegisterDataType.UInt32:
            case RegisterDataType.UInt64:
                value = raw * Scale;
                return true;
            case RegisterDataType.Int16:
                value = (short)raw * Scale;
                return true;
            case RegisterDataType.Int32:
                value = (int)raw * Scale;
                return true;
            case RegisterDataType.Int64:
                value = (long)raw * Scale;
                return true;
            default:
                var f = BitConverter.UInt32BitsToSingle((uint)raw);
                if (!float.IsFinite(f))
                {
                    value = 0;
                    return false;
                }

                value = (decimal)f * Scale;
                return true;
        }
    }

    /// <summary>Like <see cref="TryDecode"/> but throws <see cref="InvalidDataException"/> for NaN or infinity.</summary>
    public decimal Decode(ReadOnlySpan<ushort> registers) =>
        TryDecode(registers, out var value) ? value
            : throw new InvalidDataException($"Registers hold a non-finite {Type}; the device reported an impossible value.");

    /// <summary>
    /// Encodes <paramref name="value"/> (in the profile's unit) as value / <see cref="Scale"/>. Integer types require the
    /// quotient to be a whole number in the type's range, so encoding never rounds silently.
    /// </summary>
    public void Encode(decimal value, Span<ushort> registers)
    {
        var scaled = value / Scale;
        ulong raw;
        if (Type == RegisterDataType.Float32)
        {
            raw = BitConverter.SingleToUInt32Bits((float)scaled);
        }
        else
        {
            if (scaled != decimal.Truncate(scaled))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"{value} is not a whole multiple of the scale {Scale} of {this}.");
            }

            try
            {
                raw = Type switch
                {
                    RegisterDataType.UInt16 => decimal.ToUInt16(scaled),
                    RegisterDataType.Int16 => (ushort)decimal.ToInt16(scaled),
                    RegisterDataType.UInt32 => decimal.ToUInt32(scaled),
                    RegisterDataType.Int32 => (uint)decimal.ToInt32(scaled),
                    RegisterDataType.UInt64 => decimal.ToUInt64(scaled),
                    _ => (ulong)decimal.ToInt64(scaled),
                };
            }
            catch (OverflowException e)
            {
                throw new ArgumentOutOfRangeException($"{value} does not fit {this}.", e);
            }
        }

        WriteRaw(raw, registers);
    }

    public override string ToString() => $"{Type} {WordOrder} ×{Scale}";
}
