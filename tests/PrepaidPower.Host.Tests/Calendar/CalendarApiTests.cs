using System.Net;
using System.Text;
using System.Text.Json;

namespace PrepaidPower.Host.Tests.Calendar;

/// <summary>The calendar endpoints: roles, bad bodies (400 naming the field, nothing written), round trips. Each test uses its own calendar id.</summary>
[Collection(InMemoryHostCollection.Name)]
[Trait("Category", "Integration")]
public sealed class CalendarApiTests(InMemoryHostFixture host)
{
    private const string Shanghai2025 = """
        {
          "nights": { "from": "22:00", "to": "06:30" },
          "weekends": false,
          "windows": [ { "day": "sunday", "start": "00:00", "length": "24:00" }, { "day": "Friday", "start": "18:00", "length": "62:00" } ],
          "publicHolidays": [ { "date": "2025-10-02", "name": "National Day holiday" }, { "date": "2025-10-01", "name": "National Day" } ],
          "specialDays": [ { "date": "2025-07-15", "name": "Heat emergency" } ],
          "annualSpecialDays": [ { "month": 12, "day": 25, "name": "Christmas Day" } ]
        }
        """;

    [Fact]
    public async Task Get_NeverSet_DefaultNightsAndWeekends_ViewerMayRead()
    {
        var id = ApiClient.NewId("CAL");

        var calendar = await (await host.Viewer.GetAsync($"/calendars/{id}")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal((id, 0, true), (calendar.GetProperty("calendarId").GetString(), calendar.GetProperty("revision").GetInt32(), calendar.GetProperty("isDefault").GetBoolean()));
        var content = calendar.GetProperty("calendar");
        Assert.Equal("""{"from":"20:00","to":"08:00"}""", content.GetProperty("nights").GetRawText());
        Assert.True(content.GetProperty("weekends").GetBoolean());
        Assert.Equal(0, content.GetProperty("publicHolidays").GetArrayLength());
    }

    [Fact]
    public async Task Put_ThenGet_RoundTrips_PuttingTheReadCalendarBackChangesNothing()
    {
        var id = ApiClient.NewId("CAL");

        var put = await (await host.Operator.PutJsonAsync($"/calendars/{id}", Shanghai2025)).JsonAsync(HttpStatusCode.OK);
        var read = await (await host.Viewer.GetAsync($"/calendars/{id}")).JsonAsync(HttpStatusCode.OK);
        var again = await (await host.Operator.PutJsonAsync($"/calendars/{id}", read.GetProperty("calendar").GetRawText())).JsonAsync(HttpStatusCode.OK);

        Assert.Equal(put.GetRawText(), read.GetRawText());
        Assert.Equal((1, false, "ops"), (read.GetProperty("revision").GetInt32(), read.GetProperty("isDefault").GetBoolean(), read.GetProperty("updatedBy").GetString()));
        Assert.Equal(
            """{"nights":{"from":"22:00","to":"06:30"},"weekends":false,"windows":[{"day":"Sunday","start":"00:00","length":"24:00"},{"day":"Friday","start":"18:00","length":"62:00"}],"publicHolidays":[{"date":"2025-10-01","name":"National Day"},{"date":"2025-10-02","name":"National Day holiday"}],"specialDays":[{"date":"2025-07-15","name":"Heat emergency"}],"annualSpecialDays":[{"month":12,"day":25,"name":"Christmas Day"}]}""",
            read.GetProperty("calendar").GetRawText());
        Assert.Equal(read.GetRawText(), again.GetRawText());
    }

    [Theory]
    [InlineData("viewer", "PUT", "")]
    [InlineData("viewer", "POST", "/days")]
    [InlineData("viewer", "DELETE", "/days/2025-10-01")]
    [InlineData("cashier", "PUT", "")]
    [InlineData("cashier", "GET", "")]
    public async Task Request_WithWrongRole_Is403AndNothingWritten(string role, string method, string suffix)
    {
        var id = ApiClient.NewId("CAL");
        await (await host.Operator.PutJsonAsync($"/calendars/{id}", Shanghai2025)).JsonAsync(HttpStatusCode.OK);
        using var request = new HttpRequestMessage(new HttpMethod(method), $"/calendars/{id}{suffix}");
        if (method is "PUT" or "POST")
        {
            request.Content = new StringContent(method == "PUT" ? """{"nights":null,"weekends":false}""" : """{"publicHolidays":[{"date":"2026-01-01","name":"New Year"}]}""", Encoding.UTF8, "application/json");
        }

        var problem = await (await (role == "viewer" ? host.Viewer : host.Cashier).SendAsync(request)).ProblemAsync(HttpStatusCode.Forbidden);

        Assert.Contains(role == "viewer" ? "Viewer" : "Cashier", problem.Detail(), StringComparison.Ordinal);
        Assert.Equal(1, await RevisionAsync(id));
    }

    [Fact]
    public async Task Put_WithoutKey_Is401()
    {
        var response = await host.Anonymous.PutJsonAsync($"/calendars/{ApiClient.NewId("CAL")}", Shanghai2025);

        await response.ProblemAsync(HttpStatusCode.Unauthorized);
    }

    public static TheoryData<string, string, string> BadBodies => new()
    {
        { """{"nights":{"from":"25:00","to":"08:00"},"weekends":true}""", "nights.from", "not a time of day" },
        { """{"nights":{"from":"20:00","to":"20:00"},"weekends":true}""", "nights.to", "every hour of every day" },
        { """{"nights":null,"weekends":true,"windows":[{"day":"Funday","start":"12:00","length":"01:00"}]}""", "windows[0].day", "not a day of the week" },
        { """{"nights":null,"weekends":true,"windows":[{"day":"Monday","start":"12:00","length":"200:00"}]}""", "windows[0].length", "hours:minutes" },
        { """{"nights":null,"weekends":true,"windows":[{"day":"Monday","start":"12:00","length":"00:00"}]}""", "windows[0].length", "1 minute to 7 days" },
        { """{"nights":null,"weekends":true,"windows":[{"day":"Saturday","start":"00:00","length":"48:00"}]}""", "windows[0]", "repeats weekends" },
        { """{"nights":null,"weekends":true,"windows":[{"day":"Monday","start":"00:00","length":"120:00"}]}""", "windows", "every minute of the week" },
        { """{"nights":null,"weekends":false,"publicHolidays":[{"date":"2025-13-01","name":"X"}]}""", "publicHolidays[0].date", "yyyy-MM-dd" },
        { """{"nights":null,"weekends":false,"publicHolidays":[{"date":"2025-10-01","name":"A"},{"date":"2025-10-01","name":"B"}]}""", "publicHolidays[1].date", "already in publicHolidays[0]" },
        { """{"nights":null,"weekends":false,"specialDays":[{"date":"2025-10-01","name":" "}]}""", "specialDays[0].name", "needs a name" },
        { """{"nights":null,"weekends":false,"annualSpecialDays":[{"month":2,"day":30,"name":"X"}]}""", "annualSpecialDays[0].day", "not a day of the year" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Put_BadBody_Is400NamingFieldAndNothingWritten(string body, string field, string reason)
    {
        var id = ApiClient.NewId("CAL");
        var before = await (await host.Operator.PutJsonAsync($"/calendars/{id}", Shanghai2025)).JsonAsync(HttpStatusCode.OK);

        var problem = await (await host.Operator.PutJsonAsync($"/calendars/{id}", body)).ProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal(field, problem.GetProperty("field").GetString());
        Assert.Contains(reason, problem.Detail(), StringComparison.Ordinal);
        Assert.Equal(before.GetRawText(), (await (await host.Viewer.GetAsync($"/calendars/{id}")).JsonAsync(HttpStatusCode.OK)).GetRawText());
    }

    [Theory]
    [InlineData("""{"publicHolidays":[]}""", "weekends")]             // nights and weekends must be said
    [InlineData("""{"nights":null,"weekends":true,"holidays":[]}""", "holidays")] // unknown field
    [InlineData("""{"nights":null,"weekends":"yes"}""", "weekends")]
    public async Task Put_MalformedBody_Is400AndNothingWritten(string body, string mentions)
    {
        var id = ApiClient.NewId("CAL");

        var problem = await (await host.Operator.PutJsonAsync($"/calendars/{id}", body)).ProblemAsync(HttpStatusCode.BadRequest);

        Assert.Contains(mentions, problem.Detail(), StringComparison.Ordinal);
        Assert.Equal(0, await RevisionAsync(id));
    }

    [Fact]
    public async Task Put_StaleExpectedRevision_Is409AndNothingWritten_CurrentOneAccepted()
    {
        var id = ApiClient.NewId("CAL");
        await (await host.Operator.PutJsonAsync($"/calendars/{id}", Shanghai2025)).JsonAsync(HttpStatusCode.OK);

        var stale = await (await host.Operator.PutJsonAsync($"/calendars/{id}", """{"nights":null,"weekends":true,"expectedRevision":0}""")).ProblemAsync(HttpStatusCode.Conflict);
        var revisionAfterConflict = await RevisionAsync(id);
        var accepted = await (await host.Operator.PutJsonAsync($"/calendars/{id}", """{"nights":null,"weekends":true,"expectedRevision":1}""")).JsonAsync(HttpStatusCode.OK);

        Assert.Equal("CALENDAR_REVISION_MISMATCH", stale.GetProperty("code").GetString());
        Assert.Equal(1, revisionAfterConflict);
        Assert.Equal(2, accepted.GetProperty("revision").GetInt32());
        Assert.Equal(JsonValueKind.Null, accepted.GetProperty("calendar").GetProperty("nights").ValueKind);
    }

    [Fact]
    public async Task Days_AddSameAgainConflictRemove_ThroughTheApi()
    {
        var id = ApiClient.NewId("CAL");
        const string newYear = """{"publicHolidays":[{"date":"2026-01-01","name":"New Year's Day"}],"specialDays":[{"date":"2026-01-02","name":"Bridge day"}]}""";

        var added = await (await host.Operator.PostJsonAsync($"/calendars/{id}/days", newYear)).JsonAsync(HttpStatusCode.OK);
        var again = await (await host.Operator.PostJsonAsync($"/calendars/{id}/days", newYear)).JsonAsync(HttpStatusCode.OK);
        var clash = await (await host.Operator.PostJsonAsync($"/calendars/{id}/days", """{"specialDays":[{"date":"2026-01-01","name":"Parade"}]}""")).ProblemAsync(HttpStatusCode.Conflict);
        var empty = await (await host.Operator.PostJsonAsync($"/calendars/{id}/days", "{}")).ProblemAsync(HttpStatusCode.BadRequest);
        var removed = await (await host.Operator.DeleteAsync($"/calendars/{id}/days/2026-01-01")).JsonAsync(HttpStatusCode.OK);
        var missing = await (await host.Operator.DeleteAsync($"/calendars/{id}/days/2026-01-01")).ProblemAsync(HttpStatusCode.NotFound);
        var badDate = await (await host.Operator.DeleteAsync($"/calendars/{id}/days/01-01-2026")).ProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal(1, added.GetProperty("revision").GetInt32());
        Assert.True(added.GetProperty("calendar").GetProperty("weekends").GetBoolean()); // the default stays around the added days
        Assert.Equal("""[{"date":"2026-01-01","name":"New Year's Day"}]""", added.GetProperty("calendar").GetProperty("publicHolidays").GetRawText());
        Assert.Equal(1, again.GetProperty("revision").GetInt32());
        Assert.Equal("CALENDAR_DAY_EXISTS", clash.GetProperty("code").GetString());
        Assert.Equal("publicHolidays", empty.GetProperty("field").GetString());
        Assert.Equal((2, 0), (removed.GetProperty("revision").GetInt32(), removed.GetProperty("calendar").GetProperty("publicHolidays").GetArrayLength()));
        Assert.Equal("CALENDAR_DAY_NOT_FOUND", missing.GetProperty("code").GetString());
        Assert.Equal("date", badDate.GetProperty("field").GetString());
        Assert.Equal(2, await RevisionAsync(id));
    }

    [Fact]
    public async Task OpenApi_ListsTheCalendarEndpoints()
    {
        var document = await (await host.Anonymous.GetAsync("/openapi/v1.json")).JsonAsync(HttpStatusCode.OK);

        var paths = document.GetProperty("paths");
        var calendar = paths.GetProperty("/calendars/{calendarId}");
        Assert.True(calendar.TryGetProperty("get", out _));
        Assert.True(calendar.TryGetProperty("put", out var put));
        Assert.True(put.TryGetProperty("requestBody", out _));
        Assert.True(paths.GetProperty("/calendars/{calendarId}/days").TryGetProperty("post", out _));
        Assert.True(paths.GetProperty("/calendars/{calendarId}/days/{date}").TryGetProperty("delete", out _));
    }

    private async Task<int> RevisionAsync(string id) =>
        (await (await host.Viewer.GetAsync($"/calendars/{id}")).JsonAsync(HttpStatusCode.OK)).GetProperty("revision").GetInt32();
}
