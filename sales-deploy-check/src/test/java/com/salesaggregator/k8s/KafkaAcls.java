package com.salesaggregator.k8s;

import io.strimzi.api.kafka.model.user.KafkaUser;
import io.strimzi.api.kafka.model.user.KafkaUserAuthorizationSimple;
import io.strimzi.api.kafka.model.user.acl.AclResourcePatternType;
import io.strimzi.api.kafka.model.user.acl.AclRule;
import io.strimzi.api.kafka.model.user.acl.AclRuleClusterResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleGroupResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTopicResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleTransactionalIdResource;
import io.strimzi.api.kafka.model.user.acl.AclRuleType;
import io.strimzi.api.kafka.model.user.acl.StrimziAclOperation;
import java.util.List;

/**
 * What a KafkaUser's ACLs allow, decided the way Kafka's simple authorizer decides (literal and
 * prefixed resource patterns, the wildcard, deny rules, the operations that imply Describe).
 */
public final class KafkaAcls {

    private KafkaAcls() {}

    /** Kafka's rules: Read, Write, Delete and Alter imply Describe; All implies everything. */
    public static boolean allows(KafkaUser user, String type, String name, StrimziAclOperation op) {
        boolean allowed = false;
        for (AclRule rule : acls(user)) {
            if (!rule.getResource().getType().equals(type) || !matches(rule, name)) {
                continue;
            }
            boolean grants =
                    rule.getOperations().contains(op)
                            || rule.getOperations().contains(StrimziAclOperation.ALL)
                            || (op == StrimziAclOperation.DESCRIBE
                                    && rule.getOperations().stream()
                                            .anyMatch(
                                                    o ->
                                                            o == StrimziAclOperation.READ
                                                                    || o
                                                                            == StrimziAclOperation
                                                                                    .WRITE
                                                                    || o
                                                                            == StrimziAclOperation
                                                                                    .DELETE
                                                                    || o
                                                                            == StrimziAclOperation
                                                                                    .ALTER));
            if (grants && rule.getType() == AclRuleType.DENY) {
                return false;
            }
            allowed |= grants;
        }
        return allowed;
    }

    private static boolean matches(AclRule rule, String name) {
        if (rule.getResource() instanceof AclRuleClusterResource) {
            return true;
        }
        String pattern = resourceName(rule);
        AclResourcePatternType patternType =
                switch (rule.getResource()) {
                    case AclRuleTopicResource r -> r.getPatternType();
                    case AclRuleGroupResource r -> r.getPatternType();
                    case AclRuleTransactionalIdResource r -> r.getPatternType();
                    default -> null;
                };
        if ("*".equals(pattern)) {
            return true;
        }
        return patternType == AclResourcePatternType.PREFIX
                ? name.startsWith(pattern)
                : name.equals(pattern);
    }

    /** The name of the rule's resource; {@code kafka-cluster} for the cluster. */
    public static String resourceName(AclRule rule) {
        return switch (rule.getResource()) {
            case AclRuleTopicResource r -> r.getName();
            case AclRuleGroupResource r -> r.getName();
            case AclRuleTransactionalIdResource r -> r.getName();
            default -> "kafka-cluster";
        };
    }

    /** The user's ACL rules (none without simple authorization). */
    public static List<AclRule> acls(KafkaUser user) {
        return user.getSpec().getAuthorization() instanceof KafkaUserAuthorizationSimple simple
                ? simple.getAcls()
                : List.of();
    }
}
