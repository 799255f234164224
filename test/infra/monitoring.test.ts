import { describe, expect, it } from 'vitest';
import { authorizer, promotionConsumer } from '../../functions/catalog.js';
import { devApp, type Json, referencedIds } from './synth-fixture.js';

const synth = devApp();
const { config } = synth;
const alarms: Record<string, Json> = Object.fromEntries(
  synth.ofType('AWS::CloudWatch::Alarm').map(([, alarm]) => [alarm.Properties.AlarmName, alarm.Properties]),
);

/** The stateful stack's output a cross-stack reference in the service stack points at. */
function resolvesTo(reference: Json): Json {
  const outputs = synth.stateful.toJSON().Outputs as Record<string, Json>;
  return outputs[reference['Fn::GetStackOutput']?.OutputName]?.Value;
}

describe('alarms', () => {
  const [[topicId] = []] = Object.entries(synth.statefulResources).filter(
    ([, r]) => r.Type === 'AWS::SNS::Topic',
  );

  it('notifies the alarm topic on ALARM and on OK, for every alarm', () => {
    expect(Object.keys(alarms).length).toBeGreaterThanOrEqual(6);
    for (const [name, alarm] of Object.entries(alarms)) {
      for (const actions of [alarm.AlarmActions, alarm.OKActions]) {
        expect(actions, name).toHaveLength(1);
        expect(resolvesTo(actions[0]), name).toEqual({ Ref: topicId });
      }
      expect(alarm.ComparisonOperator, name).toBe('GreaterThanThreshold');
      expect(alarm.TreatMissingData, name).toBe('notBreaching');
      expect(alarm.Period, name).toBe(config.alarms.periodMinutes * 60);
      expect(alarm.EvaluationPeriods, name).toBe(config.alarms.evaluationPeriods);
    }
  });

  it('watches the DLQ depth, consumer and authorizer errors and throttles, and data-API 5xx', () => {
    const dlq = alarms['agent-memory-dev-dead-letter-queue-depth'];
    expect(dlq).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: config.alarms.dlqDepth,
    });
    const [dlqId] = Object.entries(synth.statefulResources).find(
      ([, r]) => r.Type === 'AWS::SQS::Queue' && !r.Properties.RedrivePolicy,
    )!;
    expect(resolvesTo(dlq.Dimensions[0].Value)).toEqual({ 'Fn::GetAtt': [dlqId, 'QueueName'] });

    const lambdaAlarm = (name: string, metric: string, fn: string, threshold: number) => {
      const alarm = alarms[`agent-memory-dev-${name}`];
      expect(alarm, name).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: metric,
        Threshold: threshold,
      });
      expect(alarm.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: synth.functionId(fn) } }]);
    };
    lambdaAlarm('consumer-errors', 'Errors', promotionConsumer.name, config.alarms.consumerErrors);
    lambdaAlarm('consumer-throttles', 'Throttles', promotionConsumer.name, config.alarms.throttles);
    lambdaAlarm('authorizer-errors', 'Errors', authorizer.name, config.alarms.authorizerErrors);
    lambdaAlarm('authorizer-throttles', 'Throttles', authorizer.name, config.alarms.throttles);

    expect(alarms['agent-memory-dev-data-api-5xx']).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Statistic: 'Sum',
      Threshold: config.alarms.api5xx,
      Dimensions: [{ Name: 'ApiName', Value: 'agent-memory-dev' }],
    });
  });

  it('protects publishers with TLS on the alarm topic', () => {
    const [[, policy] = []] = Object.entries(synth.statefulResources).filter(
      ([, r]) => r.Type === 'AWS::SNS::TopicPolicy',
    );
    expect(JSON.stringify(policy?.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
  });
});

describe('dashboard', () => {
  it('shows API traffic and errors, authorizer, consumer, queues and Lambda throttles/concurrency', () => {
    const dashboards = synth.ofType('AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]![1].Properties.DashboardBody);
    for (const metric of [
      'Count',
      'Latency',
      '4XXError',
      '5XXError',
      'ApproximateNumberOfMessagesVisible',
      'ApproximateAgeOfOldestMessage',
      'Throttles',
      'ConcurrentExecutions',
      'Duration',
    ]) {
      expect(body, metric).toContain(`\\"${metric}\\"`);
    }
    expect(referencedIds(dashboards[0]![1].Properties.DashboardBody)).toContain(
      synth.functionId(promotionConsumer.name),
    );
  });
});
