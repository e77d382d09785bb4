#!/bin/sh
# The evidence bucket with Object Lock, and two keys limited by policy: the API's to that bucket,
# the vision node's to putting objects under alerts/ (its own prefix is checked again by the API).
set -eu
mc alias set store http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD"
mc mb --ignore-existing --with-lock store/enforcement-evidence
mc admin policy create store enforcement-api /setup/api-policy.json
mc admin policy create store enforcement-vision-node /setup/vision-node-policy.json
mc admin user add store "$API_S3_ACCESS_KEY" "$API_S3_SECRET_KEY"
mc admin user add store "$NODE_S3_ACCESS_KEY" "$NODE_S3_SECRET_KEY"
mc admin policy attach store enforcement-api --user "$API_S3_ACCESS_KEY" || true  # already attached
mc admin policy attach store enforcement-vision-node --user "$NODE_S3_ACCESS_KEY" || true
