/**
 * Imported first by every entry point (the CLI, the bench scripts): silences the AWS SDK's notice that its releases
 * after early 2027 need Node 22. The notice is for whoever upgrades the SDK (package.json's engines and the image say
 * which Node runs whyping), never for someone reading an answer. An explicit setting in the environment wins.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
