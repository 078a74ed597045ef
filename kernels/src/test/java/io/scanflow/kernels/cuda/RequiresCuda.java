package io.scanflow.kernels.cuda;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class that needs a usable CUDA device: where there is none, its tests are reported as skipped
 * with the reason (no driver, no device, disabled), rather than not run and not counted.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresCuda.Condition.class)
public @interface RequiresCuda {

    /** Enables the tests where {@link CudaAvailability} finds a device. */
    final class Condition implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            CudaAvailability a = CudaAvailability.get();
            return a.available() ? ConditionEvaluationResult.enabled("CUDA: " + a)
                    : ConditionEvaluationResult.disabled("GPU test skipped: " + a);
        }
    }
}
