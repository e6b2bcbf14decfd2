using System.Reflection;
using PrepaidPower.Contracts.Accounts;
using PrepaidPower.Grains.Accounts;

namespace PrepaidPower.Grains.Tests;

/// <summary>
/// Every type that crosses a grain boundary or is stored must carry [GenerateSerializer], [Alias] and an explicit,
/// unique [Id] on every serialized member, so that renaming a type or reordering members never breaks stored state.
/// </summary>
[Trait("Category", "Unit")]
public sealed class SerializationAttributeTests
{
    private static readonly Assembly Contracts = typeof(IAccountGrain).Assembly;
    private static readonly Assembly Grains = typeof(AccountGrain).Assembly;

    public static TheoryData<Type> BoundaryTypes()
    {
        var data = new TheoryData<Type>();
        foreach (var t in CrossingTypes())
        {
            data.Add(t);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(BoundaryTypes))]
    public void BoundaryType_HasGenerateSerializerAliasAndExplicitIds(Type type)
    {
        Assert.True(type.GetCustomAttribute<GenerateSerializerAttribute>() is not null, $"{type} lacks [GenerateSerializer].");
        Assert.True(type.GetCustomAttribute<AliasAttribute>(inherit: false) is not null, $"{type} lacks [Alias].");
        if (type.IsEnum)
        {
            return;
        }
        var members = type.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
            .Where(p => p.SetMethod is not null)
            .ToArray();
        foreach (var p in members)
        {
            Assert.True(p.GetCustomAttribute<IdAttribute>() is not null, $"{type.Name}.{p.Name} is serialized but has no [Id(n)].");
        }
        var ids = members.Select(p => p.GetCustomAttribute<IdAttribute>()!.Id).ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Fact]
    public void Aliases_AreUniqueAcrossContractsAndGrains()
    {
        var aliases = Contracts.GetTypes().Concat(Grains.GetTypes())
            .Select(t => t.GetCustomAttribute<AliasAttribute>(inherit: false)?.Alias)
            .OfType<string>()
            .ToArray();
        Assert.Equal(aliases.Length, aliases.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void GrainInterfaces_EveryMethodEndsInAsyncAndHasAnAlias()
    {
        foreach (var i in Contracts.GetTypes().Where(t => t.IsInterface && typeof(IGrain).IsAssignableFrom(t)))
        {
            Assert.NotNull(i.GetCustomAttribute<AliasAttribute>());
            foreach (var m in i.GetMethods())
            {
                Assert.EndsWith("Async", m.Name, StringComparison.Ordinal);
                Assert.True(m.GetCustomAttribute<AliasAttribute>() is not null, $"{i.Name}.{m.Name} has no [Alias].");
            }
        }
    }

    [Fact]
    public void CrossingTypes_FindsTheGrainSignaturesAndStates()
    {
        var types = CrossingTypes().ToHashSet();
        Assert.Contains(typeof(PaymentRequest), types);
        Assert.Contains(typeof(Contracts.Meters.SupplyOrderRequest), types);
        Assert.Contains(typeof(AccountState), types);
        Assert.Contains(typeof(Meters.PendingData), types);
        Assert.Contains(typeof(Contracts.Errors.ConflictException), types);
        Assert.Contains(typeof(Contracts.Calendar.ProtectionCalendarSpec), types);
        Assert.Contains(typeof(Contracts.Calendar.WeeklyWindowSpec), types);
        Assert.Contains(typeof(Contracts.Calendar.CalendarDaysRequest), types);
        Assert.Contains(typeof(global::PrepaidPower.Grains.Calendar.ProtectionCalendarState), types);
    }

    /// <summary>
    /// Types reachable from grain interface signatures and grain state, walking members, generic arguments and
    /// collection elements; plus every exception in Contracts (they cross boundaries as faults).
    /// </summary>
    private static IEnumerable<Type> CrossingTypes()
    {
        var roots = Contracts.GetTypes()
            .Where(t => t.IsInterface && typeof(IGrain).IsAssignableFrom(t))
            .SelectMany(i => i.GetMethods())
            .SelectMany(m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType))
            .Concat(Grains.GetTypes().Where(t => t.Name.EndsWith("State", StringComparison.Ordinal) && t.IsClass))
            .Concat(Contracts.GetTypes().Where(t => typeof(Exception).IsAssignableFrom(t)))
            .Append(typeof(AccountEvent));
        var seen = new HashSet<Type>();
        var queue = new Queue<Type>(roots);
        while (queue.Count > 0)
        {
            var t = queue.Dequeue();
            if (t.IsGenericType || t.IsArray)
            {
                foreach (var a in t.IsArray ? [t.GetElementType()!] : t.GetGenericArguments())
                {
                    queue.Enqueue(a);
                }
                continue;
            }
            if ((t.Assembly != Contracts && t.Assembly != Grains) || t.IsInterface
                || t.Namespace?.StartsWith("PrepaidPower.", StringComparison.Ordinal) != true || !seen.Add(t))
            {
                continue;
            }
            foreach (var p in t.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                queue.Enqueue(p.PropertyType);
            }
            if (t.BaseType is { } b)
            {
                queue.Enqueue(b);
            }
        }
        return seen.Where(t => !t.IsAbstract || t.GetCustomAttribute<GenerateSerializerAttribute>() is not null).OrderBy(t => t.FullName, StringComparer.Ordinal);
    }
}
