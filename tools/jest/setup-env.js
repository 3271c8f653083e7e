// The AWS SDK warns on every client creation that future releases need Node 22: noise in tests.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
