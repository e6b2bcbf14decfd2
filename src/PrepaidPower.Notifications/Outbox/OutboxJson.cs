using System.Text.Json;
using System.Text.Json.Serialization;

namespace PrepaidPower.Notifications.Outbox;

/// <summary>The outbox's payload format: an <see cref="OutgoingNotification"/> in camelCase JSON, written by source generation.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(OutgoingNotification))]
internal sealed partial class OutboxJson : JsonSerializerContext;
