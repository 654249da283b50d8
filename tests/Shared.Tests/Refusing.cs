using System.Reflection;

namespace SystemDesign.Tests;

/// <summary>
/// An implementation of any interface with no server behind it (a Redis database, a RabbitMQ connection), for
/// tests that need a client but not what it talks to: every call throws <see cref="NotSupportedException"/>
/// naming the method, except those an <c>answer</c> handler returns a value for. Guard tests pass one to an
/// entry point: a guard that holds throws first; an input the guards accept reaches the client and ends in
/// NotSupportedException, which proves the guards ran before the first call.
/// </summary>
public class Refusing : DispatchProxy
{
    private Func<MethodInfo, object?> _answer = Refuse;

    /// <param name="answer">Answers the calls it knows (a getter is named like <c>get_IsConnected</c>) and calls
    /// <see cref="Refuse"/> for the others.</param>
    public static T Create<T>(Func<MethodInfo, object?>? answer = null) where T : class
    {
        T proxy = Create<T, Refusing>();
        if (answer is not null) ((Refusing)(object)proxy)._answer = answer;
        return proxy;
    }

    public static object? Refuse(MethodInfo method) =>
        throw new NotSupportedException($"{method.Name}: no server in this test");

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => _answer(targetMethod!);
}
