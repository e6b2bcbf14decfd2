using CsCheck;

namespace PrepaidPower.Modbus.Tests.Values;

[Trait("Category", "Unit")]
public sealed class RegisterFormatTests
{
    // 123456 = 0x0001_E240: A=00 B=01 C=E2 D=40.
    [Theory]
    [InlineData(WordOrder.ABCD, 0x0001, 0xE240)]
    [InlineData(WordOrder.CDAB, 0xE240, 0x0001)]
    [InlineData(WordOrder.BADC, 0x0100, 0x40E2)]
    [InlineData(WordOrder.DCBA, 0x40E2, 0x0100)]
    public void Decode_UInt32InEveryWordOrder_Is123456(WordOrder order, ushort first, ushort second)
    {
        var format = new RegisterFormat(RegisterDataType.UInt32, order);

        Assert.Equal(123456m, format.Decode([first, second]));
        Assert.Equal(0x0001E240UL, format.ReadRaw([first, second]));
    }

    [Fact]
    public void Decode_UInt32Hundredths_IsKilowattHoursExactly() =>
        Assert.Equal(1234.56m, new RegisterFormat(RegisterDataType.UInt32, WordOrder.ABCD, 0.01m).Decode([0x0001, 0xE240]));

    [Fact]
    public void Decode_Int32WordSwapped_MatchesMbpollDefaultReading()
    {
        // mbpoll without -B reads [0x0001, 0xE240] as CDAB: 0xE2400001 → −499122175 (verified with mbpoll 1.4.11).
        Assert.Equal(-499122175m, new RegisterFormat(RegisterDataType.Int32, WordOrder.CDAB).Decode([0x0001, 0xE240]));
    }

    [Theory]
    [InlineData(RegisterDataType.Int16, new ushort[] { 0xFFFE }, -2)]
    [InlineData(RegisterDataType.UInt16, new ushort[] { 0xFFFE }, 65534)]
    [InlineData(RegisterDataType.Int32, new ushort[] { 0xFFFF, 0xFFFF }, -1)]
    [InlineData(RegisterDataType.UInt32, new ushort[] { 0xFFFF, 0xFFFF }, 4294967295)]
    [InlineData(RegisterDataType.UInt64, new ushort[] { 0x0000, 0x0001, 0x0000, 0x0002 }, 4294967298)]
    [InlineData(RegisterDataType.Int64, new ushort[] { 0xFFFF, 0xFFFF, 0xFFFF, 0xFFF6 }, -10)]
    public void Decode_SignednessFollowsTheType(RegisterDataType type, ushort[] registers, long expected) =>
        Assert.Equal(expected, new RegisterFormat(type).Decode(registers));

    [Fact]
    public void Decode_UInt64Max_IsExact() =>
        Assert.Equal(18446744073709551615m, new RegisterFormat(RegisterDataType.UInt64).Decode([0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF]));

    [Fact]
    public void Decode_UInt64WordSwapped_ReversesFourRegisters() =>
        Assert.Equal(4294967298m, new RegisterFormat(RegisterDataType.UInt64, WordOrder.CDAB).Decode([0x0002, 0x0000, 0x0001, 0x0000]));

    [Fact]
    public void Decode_Float32_IsRoundedToSevenDigits()
    {
        // 1234.56f is 0x449A51EC; with word swap the low word comes first.
        Assert.Equal(1234.56m, new RegisterFormat(RegisterDataType.Float32).Decode([0x449A, 0x51EC]));
        Assert.Equal(1234.56m, new RegisterFormat(RegisterDataType.Float32, WordOrder.CDAB).Decode([0x51EC, 0x449A]));
        Assert.Equal(1.5m, new RegisterFormat(RegisterDataType.Float32).Decode([0x3FC0, 0x0000]));
    }

    [Theory]
    [InlineData(0x7FC0, 0x0000)] // NaN
    [InlineData(0x7F80, 0x0000)] // +∞
    [InlineData(0xFF80, 0x0000)] // −∞
    public void TryDecode_NonFiniteFloat_IsNeverAReading(ushort high, ushort low)
    {
        var format = new RegisterFormat(RegisterDataType.Float32);

        Assert.False(format.TryDecode([high, low], out _));
        Assert.Throws<InvalidDataException>(() => format.Decode([high, low]));
    }

    [Fact]
    public void ReadRaw_TooFewRegisters_Throws() =>
        Assert.Throws<ArgumentException>(() => new RegisterFormat(RegisterDataType.UInt32).ReadRaw([1]));

    [Theory]
    [InlineData(0)]
    [InlineData(-0.01)]
    public void Constructor_NonPositiveScale_Throws(decimal scale) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RegisterFormat(RegisterDataType.UInt32, WordOrder.ABCD, scale));

    [Fact]
    public void Constructor_UnknownWordOrder_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RegisterFormat(RegisterDataType.UInt32, (WordOrder)9));

    [Fact]
    public void Encode_ValueNotAMultipleOfTheScale_ThrowsInsteadOfRounding() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new RegisterFormat(RegisterDataType.UInt32, WordOrder.ABCD, 0.01m).Encode(1.005m, new ushort[2]));

    [Fact]
    public void Encode_OutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RegisterFormat(RegisterDataType.UInt16).Encode(65536, new ushort[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RegisterFormat(RegisterDataType.UInt32).Encode(-1, new ushort[2]));
    }

    [Fact]
    public void Encode_Hundredths_WritesTheWordOrder()
    {
        var registers = new ushort[2];
        new RegisterFormat(RegisterDataType.UInt32, WordOrder.CDAB, 0.01m).Encode(1234.56m, registers);

        Assert.Equal([0xE240, 0x0001], registers);
    }

    [Fact]
    public void EncodeThenDecode_AnyInt64AnyOrder_RoundTrips() =>
        Gen.Select(Gen.Long, Gen.Enum<WordOrder>()).Sample((value, order) =>
        {
            var format = new RegisterFormat(RegisterDataType.Int64, order, 0.001m);
            var registers = new ushort[4];
            format.Encode(value * 0.001m, registers);
            Assert.Equal(value * 0.001m, format.Decode(registers));
        });

    [Fact]
    public void EncodeThenDecode_AnyUInt32AnyOrder_RoundTrips() =>
        Gen.Select(Gen.UInt, Gen.Enum<WordOrder>()).Sample((value, order) =>
        {
            var format = new RegisterFormat(RegisterDataType.UInt32, order);
            var registers = new ushort[2];
            format.Encode(value, registers);
            Assert.Equal(value, format.Decode(registers));
            Assert.Equal(value, format.ReadRaw(registers));
        });
}
