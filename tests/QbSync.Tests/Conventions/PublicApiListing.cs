using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace QbSync.Tests.Conventions;

/// <summary>
/// Produces a stable, sorted, one-line-per-member text listing of the public surface of an assembly (our
/// reflection-based equivalent of PublicAPI.Shipped.txt). Visible means: public types (nested ones too, when every
/// enclosing type is visible), and their public members, plus protected members of public non-sealed types.
/// </summary>
/// <remarks>
/// Format, one entry per line, ordered by the qualified name (ordinal), each type's declaration first, then its members:
/// <code>
/// public sealed class QbSync.QuickBooks.CustomersClient
/// QbSync.QuickBooks.CustomersClient.CreateAsync(string realmId, ..., System.Threading.CancellationToken cancellationToken = default) -> System.Threading.Tasks.Task&lt;QbSync.QuickBooks.Customer&gt;
/// QbSync.QuickBooks.Customer.DisplayName { get; init; } -> string?
/// const QbSync.Sync.Limits.MaxBatch = 30 -> int
/// QbSync.Sync.SyncOutcome.Created = 1
/// </code>
/// Modifiers (<c>protected</c>, <c>static</c>, <c>abstract</c>, <c>virtual</c>, <c>override</c>, <c>sealed override</c>,
/// <c>const</c>, <c>readonly</c>, <c>event</c>, <c>required</c>) precede the qualified name; reference types carry
/// <c>?</c> when annotated nullable. Compiler-generated record plumbing (<c>&lt;Clone&gt;$</c>, <c>EqualityContract</c>,
/// <c>PrintMembers</c>, the synthesized equality/ToString/GetHashCode and copy constructor) is implied by
/// <c>record</c> on the type line and left out; a positional record's <c>Deconstruct</c> is kept.
/// </remarks>
internal static class PublicApiListing
{
    private const BindingFlags DeclaredMembers =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<Type, string> Keywords = new()
    {
        [typeof(void)] = "void", [typeof(object)] = "object", [typeof(string)] = "string", [typeof(bool)] = "bool",
        [typeof(char)] = "char", [typeof(byte)] = "byte", [typeof(sbyte)] = "sbyte", [typeof(short)] = "short",
        [typeof(ushort)] = "ushort", [typeof(int)] = "int", [typeof(uint)] = "uint", [typeof(long)] = "long",
        [typeof(ulong)] = "ulong", [typeof(float)] = "float", [typeof(double)] = "double", [typeof(decimal)] = "decimal",
        [typeof(nint)] = "nint", [typeof(nuint)] = "nuint",
    };

    public static string Generate(Assembly assembly) => Generate(assembly.GetTypes());

    /// <summary>The listing of the visible types among <paramref name="types"/> (nested visible types are not added automatically).</summary>
    public static string Generate(IEnumerable<Type> types)
    {
        var entries = new List<(string Key, string Line)>();
        foreach (var type in types.Where(IsVisible))
        {
            AddType(type, entries);
        }

        entries.Sort((a, b) =>
        {
            var byKey = string.CompareOrdinal(a.Key, b.Key);
            return byKey != 0 ? byKey : string.CompareOrdinal(a.Line, b.Line);
        });

        var text = new StringBuilder();
        foreach (var (_, line) in entries)
        {
            text.Append(line).Append('\n');
        }

        return text.ToString();
    }

    private static bool IsVisible(Type type)
    {
        if (type.IsPublic)
        {
            return true;
        }

        if (!type.IsNested || type.DeclaringType is not { } outer || !IsVisible(outer))
        {
            return false;
        }

        return type.IsNestedPublic || ((type.IsNestedFamily || type.IsNestedFamORAssem) && !outer.IsSealed);
    }

    private static bool IsVisible(MethodBase? method, Type declaringType) =>
        method is not null
        && (method.IsPublic || ((method.IsFamily || method.IsFamilyOrAssembly) && !declaringType.IsSealed));

    private static bool IsVisible(FieldInfo field, Type declaringType) =>
        field.IsPublic || ((field.IsFamily || field.IsFamilyOrAssembly) && !declaringType.IsSealed);

    // ---- types -------------------------------------------------------------------------------------------------

    private static void AddType(Type type, List<(string Key, string Line)> entries)
    {
        var name = TypeDisplayName(type);
        var nullability = new NullabilityInfoContext();

        if (typeof(Delegate).IsAssignableFrom(type) && type != typeof(Delegate) && type != typeof(MulticastDelegate))
        {
            var invoke = type.GetMethod("Invoke")!;
            entries.Add((name, $"{Obsolete(type)}{Accessibility(type)}delegate {name}({Parameters(invoke, nullability)}) -> " +
                               $"{ReturnType(invoke, nullability)}{GenericConstraints(OwnGenericArguments(type), type)}"));
            return;
        }

        entries.Add((name, TypeDeclaration(type, name)));
        var isRecord = IsRecord(type);
        var prefix = name + ".";

        if (type.IsEnum)
        {
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral))
            {
                var value = Convert.ToString(field.GetRawConstantValue(), CultureInfo.InvariantCulture);
                entries.Add((prefix + field.Name, $"{Obsolete(field)}{prefix}{field.Name} = {value}"));
            }

            return;
        }

        foreach (var ctor in type.GetConstructors(DeclaredMembers))
        {
            if (ctor.IsStatic || !IsVisible(ctor, type) || Skip(ctor, isRecord))
            {
                continue;
            }

            var simpleName = SimpleName(type);
            var signature = $"{prefix}{simpleName}({Parameters(ctor, nullability)})";
            entries.Add((signature, $"{Obsolete(ctor)}{Modifiers(ctor, type)}{signature}"));
        }

        foreach (var method in type.GetMethods(DeclaredMembers))
        {
            if (!IsVisible(method, type) || (method.IsSpecialName && !method.Name.StartsWith("op_", StringComparison.Ordinal))
                || Skip(method, isRecord))
            {
                continue;
            }

            var generics = method.IsGenericMethodDefinition
                ? "<" + string.Join(", ", method.GetGenericArguments().Select(a => a.Name)) + ">"
                : string.Empty;
            var constraints = method.IsGenericMethodDefinition ? GenericConstraints(method.GetGenericArguments(), method) : string.Empty;
            var signature = $"{prefix}{method.Name}{generics}({Parameters(method, nullability)})";
            entries.Add((signature,
                $"{Obsolete(method)}{Modifiers(method, type)}{signature}{constraints} -> {ReturnType(method, nullability)}"));
        }

        foreach (var property in type.GetProperties(DeclaredMembers))
        {
            var getter = IsVisible(property.GetMethod, type) ? property.GetMethod : null;
            var setter = IsVisible(property.SetMethod, type) ? property.SetMethod : null;
            var accessor = getter ?? setter;
            if (accessor is null || Skip(property, isRecord))
            {
                continue;
            }

            var indexParameters = property.GetIndexParameters();
            var memberName = indexParameters.Length == 0
                ? property.Name
                : $"this[{string.Join(", ", indexParameters.Select(p => Parameter(p, nullability)))}]";
            var accessors = new List<string>();
            if (getter is not null)
            {
                accessors.Add(AccessorAccessibility(getter, accessor) + "get;");
            }

            if (setter is not null)
            {
                var init = setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit));
                accessors.Add(AccessorAccessibility(setter, accessor) + (init ? "init;" : "set;"));
            }

            var info = nullability.Create(property);
            var state = getter is not null ? info.ReadState : info.WriteState;
            var required = property.IsDefined(typeof(RequiredMemberAttribute), false) ? "required " : string.Empty;
            var signature = prefix + memberName;
            entries.Add((signature,
                $"{Obsolete(property)}{required}{Modifiers(accessor, type)}{signature} {{ {string.Join(' ', accessors)} }} -> " +
                FormatType(property.PropertyType, info, state, TupleNames(property))));
        }

        foreach (var field in type.GetFields(DeclaredMembers))
        {
            if (!IsVisible(field, type) || field.IsSpecialName || Skip(field, isRecord))
            {
                continue;
            }

            var info = nullability.Create(field);
            var fieldType = FormatType(field.FieldType, info, info.ReadState, TupleNames(field));
            var signature = prefix + field.Name;
            var access = field.IsPublic ? string.Empty : "protected ";
            string line;
            if (field.IsLiteral)
            {
                line = $"{access}const {signature} = {Literal(field.GetRawConstantValue(), field.FieldType)} -> {fieldType}";
            }
            else
            {
                var modifiers = (field.IsStatic ? "static " : string.Empty) + (field.IsInitOnly ? "readonly " : string.Empty);
                line = $"{access}{modifiers}{signature} -> {fieldType}";
            }

            entries.Add((signature, Obsolete(field) + line));
        }

        foreach (var @event in type.GetEvents(DeclaredMembers))
        {
            var add = @event.AddMethod;
            if (!IsVisible(add, type) || Skip(@event, isRecord))
            {
                continue;
            }

            var info = nullability.Create(@event);
            var signature = prefix + @event.Name;
            entries.Add((signature,
                $"{Obsolete(@event)}{Modifiers(add!, type)}event {signature} -> {FormatType(@event.EventHandlerType!, info, info.ReadState, null)}"));
        }
    }

    private static string TypeDeclaration(Type type, string name)
    {
        var line = new StringBuilder();
        line.Append(Obsolete(type));
        if (type.IsEnum && type.IsDefined(typeof(FlagsAttribute), false))
        {
            line.Append("[Flags] ");
        }

        line.Append(Accessibility(type));
        var isRecord = IsRecord(type);
        if (type.IsInterface)
        {
            line.Append("interface ");
        }
        else if (type.IsEnum)
        {
            line.Append("enum ");
        }
        else if (type.IsValueType)
        {
            if (type.IsDefined(typeof(IsReadOnlyAttribute), false))
            {
                line.Append("readonly ");
            }

            if (type.IsByRefLike)
            {
                line.Append("ref ");
            }

            line.Append(isRecord ? "record struct " : "struct ");
        }
        else
        {
            if (type.IsAbstract && type.IsSealed)
            {
                line.Append("static ");
            }
            else if (type.IsAbstract)
            {
                line.Append("abstract ");
            }
            else if (type.IsSealed)
            {
                line.Append("sealed ");
            }

            line.Append(isRecord ? "record " : "class ");
        }

        line.Append(name);

        var bases = new List<string>();
        if (type.IsEnum)
        {
            bases.Add(FormatType(Enum.GetUnderlyingType(type)));
        }
        else
        {
            if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType))
            {
                bases.Add(FormatType(baseType));
            }

            var inherited = type.BaseType?.GetInterfaces() ?? [];
            bases.AddRange(type.GetInterfaces()
                .Where(i => !inherited.Contains(i) && (i.IsPublic || i.IsNestedPublic))
                .Select(i => FormatType(i))
                .Order(StringComparer.Ordinal));
        }

        if (bases.Count > 0)
        {
            line.Append(" : ").Append(string.Join(", ", bases));
        }

        if (type.IsGenericTypeDefinition)
        {
            line.Append(GenericConstraints(OwnGenericArguments(type), type));
        }

        return line.ToString();
    }

    /// <summary>A nested type's generic arguments start with its enclosing types' ones; only its own get constraints.</summary>
    private static Type[] OwnGenericArguments(Type type) =>
        type.GetGenericArguments().Skip(type.DeclaringType?.GetGenericArguments().Length ?? 0).ToArray();

    private static string Accessibility(Type type) =>
        type.IsPublic || type.IsNestedPublic ? "public " : "protected ";

    /// <summary>A class record has a compiler-generated <c>&lt;Clone&gt;$</c>; a record struct a synthesized <c>PrintMembers</c>.</summary>
    private static bool IsRecord(Type type) =>
        type.GetMethod("<Clone>$", BindingFlags.Public | BindingFlags.Instance) is not null
        || (type.IsValueType && type.GetMethod("PrintMembers", BindingFlags.NonPublic | BindingFlags.Instance) is { } print
            && print.IsDefined(typeof(CompilerGeneratedAttribute), false));

    /// <summary>Compiler-generated members, except a record's <c>Deconstruct</c> (callers use it).</summary>
    private static bool Skip(MemberInfo member, bool isRecord)
    {
        if (member.Name.Contains('<', StringComparison.Ordinal))
        {
            return true;
        }

        if (!member.IsDefined(typeof(CompilerGeneratedAttribute), false))
        {
            return false;
        }

        return !(isRecord && member.Name == "Deconstruct");
    }

    // ---- members -----------------------------------------------------------------------------------------------

    private static string Modifiers(MethodBase method, Type declaringType)
    {
        var modifiers = new StringBuilder();
        if (!method.IsPublic)
        {
            modifiers.Append("protected ");
        }

        if (method.IsStatic)
        {
            modifiers.Append("static ");
        }

        if (declaringType.IsInterface)
        {
            if (method.IsStatic && method.IsAbstract)
            {
                modifiers.Append("abstract ");
            }
            else if (!method.IsStatic && !method.IsAbstract && method.IsVirtual)
            {
                modifiers.Append("virtual "); // default interface implementation
            }

            return modifiers.ToString();
        }

        if (method is MethodInfo info && info.IsVirtual)
        {
            var isOverride = info.GetBaseDefinition().DeclaringType != info.DeclaringType;
            if (isOverride)
            {
                modifiers.Append(info.IsFinal ? "sealed override " : "override ");
            }
            else if (info.IsAbstract)
            {
                modifiers.Append("abstract ");
            }
            else if (!info.IsFinal)
            {
                modifiers.Append("virtual ");
            }
        }

        return modifiers.ToString();
    }

    private static string AccessorAccessibility(MethodInfo accessor, MethodInfo reference) =>
        accessor.IsPublic == reference.IsPublic ? string.Empty : accessor.IsPublic ? "public " : "protected ";

    private static string Parameters(MethodBase method, NullabilityInfoContext nullability) =>
        string.Join(", ", method.GetParameters().Select(p =>
            (p.Position == 0 && method.IsDefined(typeof(ExtensionAttribute), false) ? "this " : string.Empty) +
            Parameter(p, nullability)));

    private static string Parameter(ParameterInfo parameter, NullabilityInfoContext nullability)
    {
        var text = new StringBuilder();
        var type = parameter.ParameterType;
        if (type.IsByRef)
        {
            if (parameter.IsOut)
            {
                text.Append("out ");
            }
            else if (parameter.IsIn || parameter.IsDefined(typeof(RequiresLocationAttribute), false))
            {
                text.Append(parameter.IsDefined(typeof(RequiresLocationAttribute), false) ? "ref readonly " : "in ");
            }
            else
            {
                text.Append("ref ");
            }
        }
        else if (parameter.IsDefined(typeof(ParamArrayAttribute), false)
                 || parameter.IsDefined(typeof(ParamCollectionAttribute), false))
        {
            text.Append("params ");
        }

        var info = nullability.Create(parameter);
        text.Append(FormatType(type, info, parameter.IsOut ? info.ReadState : info.WriteState, TupleNames(parameter)));
        text.Append(' ').Append(parameter.Name);
        if (parameter.HasDefaultValue)
        {
            text.Append(" = ").Append(Literal(parameter.RawDefaultValue, type.IsByRef ? type.GetElementType()! : type));
        }

        return text.ToString();
    }

    private static string ReturnType(MethodInfo method, NullabilityInfoContext nullability)
    {
        var returnParameter = method.ReturnParameter;
        var info = nullability.Create(returnParameter);
        var prefix = method.ReturnType.IsByRef
            ? returnParameter.IsDefined(typeof(IsReadOnlyAttribute), false) ? "ref readonly " : "ref "
            : string.Empty;
        return prefix + FormatType(method.ReturnType, info, info.ReadState, TupleNames(returnParameter));
    }

    private static string GenericConstraints(Type[] arguments, MemberInfo owner)
    {
        var text = new StringBuilder();
        foreach (var argument in arguments)
        {
            var constraints = new List<string>();
            var attributes = argument.GenericParameterAttributes;
            var isStruct = attributes.HasFlag(GenericParameterAttributes.NotNullableValueTypeConstraint);
            if (attributes.HasFlag(GenericParameterAttributes.ReferenceTypeConstraint))
            {
                constraints.Add("class");
            }

            if (isStruct)
            {
                constraints.Add("struct");
            }

            constraints.AddRange(argument.GetGenericParameterConstraints()
                .Where(c => !(isStruct && c == typeof(ValueType)))
                .Select(c => FormatType(c))
                .Order(StringComparer.Ordinal));
            if (attributes.HasFlag(GenericParameterAttributes.DefaultConstructorConstraint) && !isStruct)
            {
                constraints.Add("new()");
            }

            if (attributes.HasFlag(GenericParameterAttributes.AllowByRefLike))
            {
                constraints.Add("allows ref struct");
            }

            if (constraints.Count > 0)
            {
                text.Append(" where ").Append(argument.Name).Append(" : ").Append(string.Join(", ", constraints));
            }
        }

        _ = owner;
        return text.ToString();
    }

    /// <summary>
    /// <c>[Obsolete]</c> written in source, and <c>[SetsRequiredMembers]</c>. The <c>[Obsolete]</c> the compiler puts on
    /// constructors of types with required members (next to <c>[CompilerFeatureRequired]</c>) is left out.
    /// </summary>
    private static string Obsolete(MemberInfo member)
    {
        var markers = string.Empty;
        if (member.IsDefined(typeof(ObsoleteAttribute), false) && !member.IsDefined(typeof(CompilerFeatureRequiredAttribute), false))
        {
            markers += "[Obsolete] ";
        }

        if (member.IsDefined(typeof(System.Diagnostics.CodeAnalysis.SetsRequiredMembersAttribute), false))
        {
            markers += "[SetsRequiredMembers] ";
        }

        return markers;
    }

    private static string Literal(object? value, Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return value switch
        {
            null when type.IsValueType && Nullable.GetUnderlyingType(type) is null => "default",
            null => "null",
            string s => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
                .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal)
                .Replace("\t", "\\t", StringComparison.Ordinal) + "\"",
            char c => "'" + c + "'",
            bool b => b ? "true" : "false",
            _ when underlying.IsEnum => EnumLiteral(underlying, value),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "null",
        };
    }

    private static string EnumLiteral(Type enumType, object raw)
    {
        var value = Enum.ToObject(enumType, raw);
        var name = Enum.GetName(enumType, value);
        return name is not null
            ? $"{FormatType(enumType)}.{name}"
            : $"({FormatType(enumType)}){Convert.ToString(raw, CultureInfo.InvariantCulture)}";
    }

    // ---- type names --------------------------------------------------------------------------------------------

    private static string SimpleName(Type type)
    {
        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        return tick < 0 ? name : name[..tick];
    }

    /// <summary>The declared name of a type definition: <c>QbSync.QuickBooks.QuickBooksPage&lt;T&gt;</c>, nested types with a dot.</summary>
    private static string TypeDisplayName(Type type) => FormatType(type);

    private static IList<string?>? TupleNames(ICustomAttributeProvider provider) =>
        provider.GetCustomAttributes(typeof(TupleElementNamesAttribute), false) is [TupleElementNamesAttribute names, ..]
            ? names.TransformNames
            : null;

    private static string FormatType(Type type) => FormatType(type, null, NullabilityState.Unknown, null);

    private static string FormatType(Type type, NullabilityInfo? info, NullabilityState state, IList<string?>? tupleNames)
    {
        var tupleIndex = 0;
        return Format(type, info, state, tupleNames, ref tupleIndex);
    }

    private static string Format(Type type, NullabilityInfo? info, NullabilityState state, IList<string?>? tupleNames, ref int tupleIndex)
    {
        if (type.IsByRef || type.IsPointer)
        {
            // NullabilityInfoContext may or may not have stripped the by-ref already; follow its shape.
            var elementInfo = info is not null && (info.Type.IsByRef || info.Type.IsPointer) ? info.ElementType : info;
            var element = Format(type.GetElementType()!, elementInfo, state, tupleNames, ref tupleIndex);
            return type.IsPointer ? element + "*" : element;
        }

        var nullableMark = !type.IsValueType && state == NullabilityState.Nullable ? "?" : string.Empty;

        if (type.IsArray)
        {
            var element = Format(type.GetElementType()!, info?.ElementType, info?.ElementType?.ReadState ?? NullabilityState.Unknown,
                tupleNames, ref tupleIndex);
            return element + "[" + new string(',', type.GetArrayRank() - 1) + "]" + nullableMark;
        }

        if (type.IsGenericParameter)
        {
            return type.Name + nullableMark;
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Format(underlying, null, NullabilityState.Unknown, tupleNames, ref tupleIndex) + "?";
        }

        if (Keywords.TryGetValue(type, out var keyword))
        {
            return keyword + nullableMark;
        }

        var arguments = type.GetGenericArguments();
        var argumentInfo = info?.GenericTypeArguments;

        if (type.IsGenericType && type.FullName?.StartsWith("System.ValueTuple`", StringComparison.Ordinal) == true
            || (type.IsGenericType && !type.IsGenericTypeDefinition
                && type.GetGenericTypeDefinition().FullName?.StartsWith("System.ValueTuple`", StringComparison.Ordinal) == true))
        {
            var names = new string?[arguments.Length];
            for (var i = 0; i < arguments.Length; i++)
            {
                names[i] = tupleNames is not null && tupleIndex < tupleNames.Count ? tupleNames[tupleIndex] : null;
                tupleIndex++;
            }

            var elements = new List<string>();
            for (var i = 0; i < arguments.Length; i++)
            {
                var elementInfo = argumentInfo is { Length: > 0 } && i < argumentInfo.Length ? argumentInfo[i] : null;
                var element = Format(arguments[i], elementInfo, elementInfo?.ReadState ?? NullabilityState.Unknown, tupleNames, ref tupleIndex);
                elements.Add(names[i] is { } name ? element + " " + name : element);
            }

            return "(" + string.Join(", ", elements) + ")";
        }

        // Walk the nesting chain; generic arguments of a nested type include its outer types' arguments, in order.
        var chain = new List<Type>();
        for (var current = type; current is not null; current = current.DeclaringType)
        {
            chain.Insert(0, current.IsGenericType && !current.IsGenericTypeDefinition ? current.GetGenericTypeDefinition() : current);
        }

        var formattedArguments = new string[arguments.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            var argInfo = argumentInfo is { Length: > 0 } && i < argumentInfo.Length ? argumentInfo[i] : null;
            formattedArguments[i] = Format(arguments[i], argInfo, argInfo?.ReadState ?? NullabilityState.Unknown, tupleNames, ref tupleIndex);
        }

        var text = new StringBuilder();
        var ns = chain[0].Namespace;
        if (!string.IsNullOrEmpty(ns))
        {
            text.Append(ns).Append('.');
        }

        var used = 0;
        for (var level = 0; level < chain.Count; level++)
        {
            if (level > 0)
            {
                text.Append('.');
            }

            var definition = chain[level];
            text.Append(SimpleName(definition));
            var total = definition.GetGenericArguments().Length;
            if (total > used)
            {
                text.Append('<').Append(string.Join(", ", formattedArguments[used..total])).Append('>');
                used = total;
            }
        }

        return text.Append(nullableMark).ToString();
    }
}
