namespace PrepaidPower.Domain.Payments;

/// <summary>Where one part of a top-up went, in waterfall order.</summary>
public enum AllocationLineKind
{
    /// <summary>Repays emergency credit the customer used.</summary>
    EmergencyCreditRepaid = 1,

    /// <summary>Recovers part of a debt register (<see cref="AllocationLine.DebtId"/>).</summary>
    DebtRecovered = 2,

    /// <summary>What is left: credited to the balance.</summary>
    ToBalance = 3,
}

/// <summary>One positive part of a top-up. <see cref="DebtId"/> is set only for <see cref="AllocationLineKind.DebtRecovered"/>.</summary>
public sealed record AllocationLine(AllocationLineKind Kind, Money Amount, string? DebtId = null);

/// <summary>A fact about an allocation for notifications and audit (e.g. <see cref="PaymentCodes.DebtCleared"/>).</summary>
public sealed record PaymentEvent(string Code, string? DebtId, string Detail);

/// <summary>The stable codes of payment events.</summary>
public static class PaymentCodes
{
    /// <summary>A debt register reached zero outstanding (SMETS2 "debt collection completed").</summary>
    public const string DebtCleared = "DEBT_CLEARED";

    /// <summary>A payment-based debt collected its full weekly cap; later top-ups this week pay it nothing.</summary>
    public const string WeeklyCapReached = "DEBT_WEEKLY_CAP_REACHED";

    /// <summary>All emergency credit used has been repaid.</summary>
    public const string EmergencyCreditRepaid = "EMERGENCY_CREDIT_REPAID";
}

/// <summary>
/// How one top-up was split. <see cref="Lines"/> are positive amounts in waterfall order (emergency credit, then debts
/// in register order, then the balance) and sum exactly to <see cref="TopUp"/>; zero parts have no line.
/// <see cref="Debts"/> are the updated registers in the input order; <see cref="EmergencyCreditOutstanding"/> is the
/// emergency credit still to repay.
/// </summary>
public sealed record Allocation(
    Money TopUp,
    IReadOnlyList<AllocationLine> Lines,
    IReadOnlyList<DebtRegister> Debts,
    Money EmergencyCreditOutstanding,
    IReadOnlyList<PaymentEvent> Events)
{
    public Money EmergencyCreditRepaid => Sum(AllocationLineKind.EmergencyCreditRepaid, null);

    public Money ToBalance => Sum(AllocationLineKind.ToBalance, null);

    /// <summary>What this top-up recovered for debt <paramref name="debtId"/> (zero if none).</summary>
    public Money RecoveredFor(string debtId) => Sum(AllocationLineKind.DebtRecovered, debtId);

    private Money Sum(AllocationLineKind kind, string? debtId)
    {
        var total = Money.Zero(TopUp.Currency);
        foreach (var line in Lines)
        {
            if (line.Kind == kind && (debtId is null || string.Equals(line.DebtId, debtId, StringComparison.Ordinal)))
            {
                total += line.Amount;
            }
        }
        return total;
    }
}

/// <summary>The result of <see cref="PaymentAllocator.AccrueTimeDebt"/>: the amount that became due and the updated register.</summary>
public sealed record TimeDebtAccrual(Money Due, int Periods, DebtRegister Debt);
