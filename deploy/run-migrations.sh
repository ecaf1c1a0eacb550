#!/usr/bin/env bash
# Applies database migrations in AWS before the services roll: runs the jobs stack's `migrate`
# task definition (the new image) as a one-off Fargate task, waits for it, and fails unless
# it exited 0. The deploy workflow calls it between `cdk deploy Jobs` and `cdk deploy --all`.
# Needs AWS credentials for the account; usage: deploy/run-migrations.sh ENVIRONMENT_NAME
set -euo pipefail
environment=${1:?usage: $0 ENVIRONMENT_NAME (staging, production, …)}

output() {
  aws cloudformation describe-stacks --stack-name "$1" \
    --query "Stacks[0].Outputs[?OutputKey=='$2'].OutputValue" --output text
}

cluster=$(output "$environment-todo-network" ClusterName)
subnets=$(output "$environment-todo-network" PrivateSubnetIds)
security_group=$(output "$environment-todo-network" AppSecurityGroupId)
task_definition=$(output "$environment-todo-jobs" MigrateTaskDefinitionArn)

task=$(aws ecs run-task \
  --cluster "$cluster" \
  --task-definition "$task_definition" \
  --launch-type FARGATE \
  --count 1 \
  --started-by deploy-migrate \
  --network-configuration "awsvpcConfiguration={subnets=[$subnets],securityGroups=[$security_group],assignPublicIp=DISABLED}" \
  --query 'tasks[0].taskArn' --output text)
if [ -z "$task" ] || [ "$task" = "None" ]; then
  echo "could not start the migrate task ($task_definition)" >&2
  exit 1
fi
echo "migrate: $task"

# `wait tasks-stopped` gives up after 10 minutes; a long migration gets more rounds.
for _ in 1 2 3; do
  aws ecs wait tasks-stopped --cluster "$cluster" --tasks "$task" && break
done

read -r exit_code reason < <(aws ecs describe-tasks --cluster "$cluster" --tasks "$task" \
  --query 'tasks[0].[containers[0].exitCode, stoppedReason]' --output text)
if [ "$exit_code" != "0" ]; then
  echo "migrate failed: exit code $exit_code ($reason); see log group /ecs/$environment-todo-migrate" >&2
  exit 1
fi
echo "migrate: done"
