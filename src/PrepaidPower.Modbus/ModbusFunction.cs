namespace PrepaidPower.Modbus;

/// <summary>
/// The Modbus public function codes this library speaks (Modbus Application Protocol v1.1b3 §6,
/// https://modbus.org/docs/Modbus_Application_Protocol_V1_1b3.pdf). Any other code is answered with
/// <see cref="ModbusExceptionCode.IllegalFunction"/> by the server and refused by the client.
/// </summary>
public enum ModbusFunction : byte
{
    /// <summary>01, §6.1: read 1–2000 coils (read/write bits).</summary>
    ReadCoils = 0x01,

    /// <summary>02, §6.2: read 1–2000 discrete inputs (read-only bits).</summary>
    ReadDiscreteInputs = 0x02,

    /// <summary>03, §6.3: read 1–125 holding registers.</summary>
    ReadHoldingRegisters = 0x03,

    /// <summary>04, §6.4: read 1–125 input registers.</summary>
    ReadInputRegisters = 0x04,

    /// <summary>05, §6.5: write one coil (0xFF00 = on, 0x0000 = off); the response echoes the request.</summary>
    WriteSingleCoil = 0x05,

    /// <summary>06, §6.6: write one holding register; the response echoes the request.</summary>
    WriteSingleRegister = 0x06,

    /// <summary>15 (0x0F), §6.11: write 1–1968 coils.</summary>
    WriteMultipleCoils = 0x0F,

    /// <summary>16 (0x10), §6.12: write 1–123 holding registers.</summary>
    WriteMultipleRegisters = 0x10,
}

/// <summary>Quantity and size limits from the Modbus specifications (the same numbers as libmodbus's <c>modbus.h</c>).</summary>
public static class ModbusLimits
{
    /// <summary>Most registers one FC03/FC04 request may read (0x7D), §6.3/§6.4.</summary>
    public const int MaxReadRegisters = 125;

    /// <summary>Most registers one FC16 request may write (0x7B), §6.12.</summary>
    public const int MaxWriteRegisters = 123;

    /// <summary>Most bits one FC01/FC02 request may read (0x7D0), §6.1/§6.2.</summary>
    public const int MaxReadBits = 2000;

    /// <summary>Most coils one FC15 request may write (0x7B0), §6.11.</summary>
    public const int MaxWriteBits = 1968;

    /// <summary>Largest PDU (function code + data): the 256-byte serial ADU minus address and CRC.</summary>
    public const int MaxPduLength = 253;

    /// <summary>Largest MBAP length field: unit id + PDU.</summary>
    public const int MaxLengthField = MaxPduLength + 1;

    /// <summary>Largest Modbus TCP ADU: 7-byte MBAP header + PDU.</summary>
    public const int MaxAduLength = Mbap.HeaderLength + MaxPduLength;

    /// <summary>Bit set on the function code of an exception response (Application Protocol §7).</summary>
    public const byte ExceptionFlag = 0x80;

    internal static bool IsKnown(byte function) => function is 0x01 or 0x02 or 0x03 or 0x04 or 0x05 or 0x06 or 0x0F or 0x10;

    internal static bool IsRegisterRead(ModbusFunction f) => f is ModbusFunction.ReadHoldingRegisters or ModbusFunction.ReadInputRegisters;

    internal static bool IsBitRead(ModbusFunction f) => f is ModbusFunction.ReadCoils or ModbusFunction.ReadDiscreteInputs;
}
