#!/usr/bin/env bash
# Creates the canary's Cognito user from its secret (<env>/todo/canary-user, made by the
# Identity stack), with a permanent password: once per environment, after the first deploy,
# and again after rotating the secret. Needs AWS credentials for the account.
# usage: deploy/canary/create-user.sh ENVIRONMENT_NAME
set -euo pipefail
environment=${1:?usage: $0 ENVIRONMENT_NAME (staging, production, …)}

secret=$(aws secretsmanager get-secret-value --secret-id "$environment/todo/canary-user" \
  --query SecretString --output text)
username=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["username"])' "$secret")
password=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["password"])' "$secret")
pool=$(aws cognito-idp list-user-pools --max-results 60 \
  --query "UserPools[?Name=='$environment-todo-users'].Id | [0]" --output text)

if ! aws cognito-idp admin-get-user --user-pool-id "$pool" --username "$username" >/dev/null 2>&1; then
  aws cognito-idp admin-create-user --user-pool-id "$pool" --username "$username" \
    --user-attributes Name=email,Value="$username@canary.invalid" Name=email_verified,Value=true \
    --message-action SUPPRESS >/dev/null
fi
aws cognito-idp admin-set-user-password --user-pool-id "$pool" --username "$username" \
  --password "$password" --permanent
echo "canary user $username ready in $pool"
