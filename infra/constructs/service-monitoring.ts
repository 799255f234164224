import { Duration } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  type Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Thresholds and evaluation of the alarms (the stage config's `alarms`). */
export interface AlarmSettings {
  readonly periodMinutes: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly dlqDepth: number;
  readonly consumerErrors: number;
  readonly api5xx: number;
  readonly throttles: number;
  readonly authorizerErrors: number;
}

export interface ServiceMonitoringProps {
  /** Prefixes alarm and dashboard names, e.g. `agent-memory-dev`. */
  readonly namePrefix: string;
  readonly alarms: AlarmSettings;
  /** Every alarm notifies this topic, on ALARM and on OK. */
  readonly alarmTopic: ITopic;
  readonly dataApi: RestApi;
  readonly adminApi: RestApi;
  readonly authorizer: IFunction;
  readonly consumer: IFunction;
  readonly promotionQueue: IQueue;
  readonly deadLetterQueue: IQueue;
  /** Every function of the service, by catalog name (throttles and concurrency on the dashboard). */
  readonly functions: ReadonlyMap<string, IFunction>;
}

/**
 * The service's alarms and its CloudWatch dashboard.
 *
 * Alarms: a job parked in the DLQ, consumer invocation errors (per-message failures are retried by
 * SQS and end in the DLQ, which alarms on its own), data-API 5xx, throttling of the two functions
 * every request or job depends on (authorizer, consumer), and authorizer errors (each one is a 5xx
 * to a client). Lambda's account-wide Throttles metric would mix in other services, and an alarm's
 * metric math takes at most 10 metrics, so the other functions' throttles are on the dashboard.
 */
export class ServiceMonitoring extends Construct {
  readonly alarms: readonly Alarm[];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ServiceMonitoringProps) {
    super(scope, id);
    const { alarms: settings } = props;
    const period = Duration.minutes(settings.periodMinutes);
    const sum = { period, statistic: 'Sum' } as const;
    const action = new SnsAction(props.alarmTopic);

    const alarm = (alarmId: string, metric: IMetric, threshold: number, description: string): Alarm => {
      const created = new Alarm(this, alarmId, {
        alarmName: `${props.namePrefix}-${kebab(alarmId)}`,
        alarmDescription: description,
        metric,
        threshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: settings.evaluationPeriods,
        datapointsToAlarm: settings.datapointsToAlarm,
        // No data means nothing happened: no messages, no invocations, no requests.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      return created;
    };

    const dlqDepth = props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      period,
      statistic: 'Maximum',
    });
    this.alarms = [
      alarm(
        'DeadLetterQueueDepth',
        dlqDepth,
        settings.dlqDepth,
        'Promotion jobs parked in the DLQ: inspect them, fix the cause, then redrive.',
      ),
      alarm(
        'ConsumerErrors',
        props.consumer.metricErrors(sum),
        settings.consumerErrors,
        'The promotion consumer failed whole invocations (not single messages).',
      ),
      alarm(
        'DataApi5xx',
        props.dataApi.metricServerError(sum),
        settings.api5xx,
        'The data API answered 5xx: function errors, timeouts or authorizer failures.',
      ),
      alarm(
        'AuthorizerThrottles',
        props.authorizer.metricThrottles(sum),
        settings.throttles,
        'The authorizer was throttled: every data-API request needs it.',
      ),
      alarm(
        'ConsumerThrottles',
        props.consumer.metricThrottles(sum),
        settings.throttles,
        'The promotion consumer was throttled: promotion falls behind.',
      ),
      alarm(
        'AuthorizerErrors',
        props.authorizer.metricErrors(sum),
        settings.authorizerErrors,
        'The authorizer failed: clients got 503 instead of an answer about their key.',
      ),
    ];

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.namePrefix,
      defaultInterval: Duration.hours(3),
    });
    const graph = (title: string, left: IMetric[], right: IMetric[] = []) =>
      new GraphWidget({ title, left, right, width: 8, height: 6 });
    const api = props.dataApi;
    const p = (metric: Metric, statistic: string) => metric.with({ statistic, label: statistic });
    const allFunctions = [...props.functions];
    this.dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: [...this.alarms], width: 24, height: 3 }),
    );
    this.dashboard.addWidgets(
      graph('Data API requests', [api.metricCount(sum)], [props.adminApi.metricCount(sum)]),
      graph('Data API latency (ms)', [
        p(api.metricLatency({ period }), 'p50'),
        p(api.metricLatency({ period }), 'p99'),
        p(api.metricIntegrationLatency({ period }), 'p99'),
      ]),
      graph('Data API errors', [
        api.metricClientError({ ...sum, label: '4xx' }),
        api.metricServerError({ ...sum, label: '5xx' }),
      ]),
    );
    this.dashboard.addWidgets(
      graph(
        'Authorizer',
        [props.authorizer.metricInvocations(sum), props.authorizer.metricErrors(sum)],
        [p(props.authorizer.metricDuration({ period }), 'p99')],
      ),
      graph(
        'Promotion consumer',
        [props.consumer.metricInvocations(sum), props.consumer.metricErrors(sum)],
        [p(props.consumer.metricDuration({ period }), 'p99')],
      ),
      graph(
        'Promotion queue',
        [
          props.promotionQueue.metricApproximateNumberOfMessagesVisible({ period, label: 'queue depth' }),
          dlqDepth.with({ label: 'DLQ depth' }),
        ],
        [props.promotionQueue.metricApproximateAgeOfOldestMessage({ period, label: 'oldest (s)' })],
      ),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Lambda throttles',
        left: allFunctions.map(([name, fn]) => fn.metricThrottles({ ...sum, label: name })),
        width: 12,
        height: 6,
      }),
      new GraphWidget({
        title: 'Lambda concurrency (max)',
        left: allFunctions.map(([name, fn]) =>
          fn.metric('ConcurrentExecutions', { period, statistic: 'Maximum', label: name }),
        ),
        width: 12,
        height: 6,
      }),
    );
  }
}

/** `DeadLetterQueueDepth` → `dead-letter-queue-depth`, `DataApi5xx` → `data-api-5xx`. */
function kebab(id: string): string {
  return id.replace(/([a-z])([A-Z0-9])/g, '$1-$2').toLowerCase();
}
