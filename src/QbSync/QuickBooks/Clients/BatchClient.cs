using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using QbSync.QuickBooks.Http;
using QbSync.QuickBooks.Serialization;

namespace QbSync.QuickBooks;

/// <summary>
/// Up to 30 operations sent in one request to QBO's <c>/batch</c> endpoint. QBO runs them in no guaranteed order and
/// an item cannot depend on another item of the same batch. Each item has a <c>bId</c> unique within the batch.
/// </summary>
public sealed class QuickBooksBatch
{
    /// <summary>The most operations one batch request may carry.</summary>
    public const int MaxItems = 30;

    private readonly List<BatchItem> _items = [];
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);

    /// <summary>The number of operations added.</summary>
    public int Count => _items.Count;

    /// <summary>The <c>bId</c>s added, in order.</summary>
    public IEnumerable<string> BatchIds => _items.Select(item => item.BatchId);

    /// <summary>Adds a customer create.</summary>
    /// <param name="batchId">The item's id, unique in the batch (your record key, say).</param>
    /// <param name="customer">The customer.</param>
    /// <returns>This batch.</returns>
    public QuickBooksBatch Create(string batchId, CustomerCreateRequest customer) =>
        Add(batchId, "create", "Customer", customer, QuickBooksJsonContext.Wire.CustomerCreateRequest);

    /// <summary>Adds an invoice create.</summary>
    /// <param name="batchId">The item's id.</param>
    /// <param name="invoice">The invoice.</param>
    /// <returns>This batch.</returns>
    public QuickBooksBatch Create(string batchId, InvoiceCreateRequest invoice) =>
        Add(batchId, "create", "Invoice", invoice, QuickBooksJsonContext.Wire.InvoiceCreateRequest);

    /// <summary>Adds a payment create.</summary>
    /// <param name="batchId">The item's id.</param>
    /// <param name="payment">The payment.</param>
    /// <returns>This batch.</returns>
    public QuickBooksBatch Create(string batchId, PaymentCreateRequest payment) =>
        Add(batchId, "create", "Payment", payment, QuickBooksJsonContext.Wire.PaymentCreateRequest);

    /// <summary>Adds a customer sparse update.</summary>
    /// <param name="batchId">The item's id.</param>
    /// <param name="update">The update.</param>
    /// <returns>This batch.</returns>
    public QuickBooksBatch Update(string batchId, CustomerUpdateRequest update) =>
        Add(batchId, "update", "Customer", update, QuickBooksJsonContext.Wire.CustomerUpdateRequest);

    /// <summary>Adds a query.</summary>
    /// <param name="batchId">The item's id.</param>
    /// <param name="query">The query.</param>
    /// <returns>This batch.</returns>
    public QuickBooksBatch Query(string batchId, QuickBooksQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var text = query.ToString();
        return AddItem(new BatchItem(batchId, writer =>
        {
            writer.WriteString("bId", batchId);
            writer.WriteString("Query", text);
        }));
    }

    internal string ToJson()
    {
        if (_items.Count == 0)
        {
            throw new InvalidOperationException("The batch is empty.");
        }

        using var buffer = new MemoryStream();
        // Names go out as they are (King's, not King\u0027s), as in single writes.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("BatchItemRequest");
            foreach (var item in _items)
            {
                writer.WriteStartObject();
                item.Write(writer);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private QuickBooksBatch Add<T>(string batchId, string operation, string entity, T body, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(body);
        return AddItem(new BatchItem(batchId, writer =>
        {
            writer.WriteString("bId", batchId);
            writer.WriteString("operation", operation);
            writer.WritePropertyName(entity);
            JsonSerializer.Serialize(writer, body, typeInfo);
        }));
    }

    private QuickBooksBatch AddItem(BatchItem item)
    {
        if (string.IsNullOrEmpty(item.BatchId))
        {
            throw new ArgumentException("Every batch item needs a bId.", nameof(item));
        }

        if (_items.Count == MaxItems)
        {
            throw new InvalidOperationException($"A QBO batch holds at most {MaxItems} operations.");
        }

        if (!_ids.Add(item.BatchId))
        {
            throw new ArgumentException($"The bId '{item.BatchId}' is already used in this batch.", nameof(item));
        }

        _items.Add(item);
        return this;
    }

    private sealed record BatchItem(string BatchId, Action<Utf8JsonWriter> Write);
}

/// <summary>The outcome of one batch item: an entity, query rows, or a fault.</summary>
public sealed class QuickBooksBatchItemResult
{
    private readonly JsonElement _element;

    internal QuickBooksBatchItemResult(string batchId, string? entityName, JsonElement element, QuickBooksException? fault)
    {
        BatchId = batchId;
        EntityName = entityName;
        _element = element;
        Fault = fault;
    }

    /// <summary>The item's <c>bId</c>.</summary>
    public string BatchId { get; }

    /// <summary>The entity returned (<c>Customer</c>, …), <c>QueryResponse</c> for a query, <see langword="null"/> for a fault.</summary>
    public string? EntityName { get; }

    /// <summary>The item's fault, as the same exception a single request would have thrown; null on success.</summary>
    public QuickBooksException? Fault { get; }

    /// <summary>Whether the item succeeded.</summary>
    public bool IsSuccess => Fault is null;

    /// <summary>The entity the item returned.</summary>
    /// <typeparam name="T">The model type, for example <see cref="Customer"/>.</typeparam>
    /// <returns>The entity.</returns>
    /// <exception cref="QuickBooksException">The item failed (the item's fault is thrown).</exception>
    public T GetEntity<T>()
        where T : QuickBooksEntity
    {
        if (Fault is not null)
        {
            throw Fault;
        }

        if (EntityName != typeof(T).Name)
        {
            throw new InvalidOperationException($"Batch item '{BatchId}' holds {EntityName}, not {typeof(T).Name}.");
        }

        return QuickBooksEntityReader.Read(_element, TypeInfoOf<T>(), null, null);
    }

    /// <summary>The rows of a query item.</summary>
    /// <typeparam name="T">The model type.</typeparam>
    /// <returns>The rows (empty when none matched).</returns>
    public IReadOnlyList<T> GetQueryRows<T>()
        where T : QuickBooksEntity
    {
        if (Fault is not null)
        {
            throw Fault;
        }

        if (EntityName != "QueryResponse")
        {
            throw new InvalidOperationException($"Batch item '{BatchId}' is not a query result.");
        }

        var typeInfo = TypeInfoOf<T>();
        return _element.TryGetProperty(typeof(T).Name, out var rows) && rows.ValueKind == JsonValueKind.Array
            ? rows.EnumerateArray().Select(row => QuickBooksEntityReader.Read(row, typeInfo, null, null)).ToList()
            : [];
    }

    private static JsonTypeInfo<T> TypeInfoOf<T>() =>
        QuickBooksJsonContext.Wire.GetTypeInfo(typeof(T)) as JsonTypeInfo<T>
        ?? throw new NotSupportedException($"{typeof(T).Name} is not a QbSync model.");
}

/// <summary>The outcome of a batch: one result per item, matched by <c>bId</c> (QBO may answer in any order).</summary>
public sealed class QuickBooksBatchResult
{
    private readonly Dictionary<string, QuickBooksBatchItemResult> _byId;

    internal QuickBooksBatchResult(IReadOnlyList<QuickBooksBatchItemResult> items)
    {
        Items = items;
        _byId = new Dictionary<string, QuickBooksBatchItemResult>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            _byId.TryAdd(item.BatchId, item);
        }
    }

    /// <summary>The results, in the order QBO returned them.</summary>
    public IReadOnlyList<QuickBooksBatchItemResult> Items { get; }

    /// <summary>The result of the item with this <c>bId</c>.</summary>
    /// <param name="batchId">The item's id.</param>
    /// <param name="result">The result, if QBO returned one.</param>
    /// <returns>Whether QBO returned a result for that item.</returns>
    public bool TryGet(string batchId, out QuickBooksBatchItemResult result) => _byId.TryGetValue(batchId, out result!);
}

/// <summary>Sends batches of up to 30 operations (throttled at 40 batch requests per minute per realm).</summary>
public class BatchClient : QuickBooksSubClient
{
    /// <summary>QBO accepts a batch <c>requestid</c> of at most 36 characters.</summary>
    public const int MaxBatchRequestIdLength = 36;

    /// <summary>For mocking.</summary>
    protected BatchClient()
    {
    }

    internal BatchClient(QuickBooksApi api)
        : base(api)
    {
    }

    /// <summary>Sends a batch. Item faults come back in the result; only a failure of the whole request throws.</summary>
    /// <param name="realmId">The company.</param>
    /// <param name="batch">The operations.</param>
    /// <param name="requestId">The idempotency key of this batch, at most 36 characters; generated when absent.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The per-item results.</returns>
    public virtual async Task<QuickBooksBatchResult> ExecuteAsync(string realmId, QuickBooksBatch batch, string? requestId = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(realmId);
        ArgumentNullException.ThrowIfNull(batch);
        if (requestId is { Length: > MaxBatchRequestIdLength })
        {
            throw new ArgumentException($"A QBO batch requestid has at most {MaxBatchRequestIdLength} characters.", nameof(requestId));
        }

        var id = RequestIds.For(requestId);
        var request = new QuickBooksApiRequest(realmId, HttpMethod.Post, "batch", "Batch", "batch")
        {
            Content = new StringContent(batch.ToJson(), Encoding.UTF8, "application/json"),
            RequestId = id,
            Kind = QuickBooksRequestKind.Batch,
        };

        using var response = await Api.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Root.ValueKind != JsonValueKind.Object
            || !response.Root.TryGetProperty("BatchItemResponse", out var responses) || responses.ValueKind != JsonValueKind.Array)
        {
            throw QuickBooksFailures.InvalidResponse(HttpStatusCode.OK, response.IntuitTid, id, new JsonException("The response holds no BatchItemResponse array."), response.Root.GetRawText());
        }

        // Item faults carry the batch response's intuit_tid: it is what Intuit support asks for.
        var context = new QuickBooksResponseInfo(HttpStatusCode.OK, "application/json", null, response.IntuitTid, id, null);
        var results = new List<QuickBooksBatchItemResult>(responses.GetArrayLength());
        foreach (var item in responses.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw QuickBooksFailures.InvalidResponse(HttpStatusCode.OK, response.IntuitTid, id, new JsonException("A BatchItemResponse item is not an object."), item.GetRawText());
            }

            var batchId = item.TryGetProperty("bId", out var bId) ? (bId.ValueKind == JsonValueKind.String ? bId.GetString()! : bId.GetRawText()) : string.Empty;
            string? entityName = null;
            JsonElement entity = default;
            QuickBooksException? fault = null;
            foreach (var property in item.EnumerateObject())
            {
                if (property.NameEquals("bId"))
                {
                    continue;
                }

                if (property.NameEquals("Fault") || property.NameEquals("fault"))
                {
                    fault = QuickBooksFaultParser.FromFault(property.Value, context);
                    break;
                }

                entityName = property.Name;
                entity = property.Value.Clone();
            }

            results.Add(new QuickBooksBatchItemResult(batchId, fault is null ? entityName : null, entity, fault));
        }

        return new QuickBooksBatchResult(results);
    }
}
